package merchant

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/redact"
	"github.com/paykit-go/paykit/signature"
)

// APIPathPrefix is the path of every API method, e.g.
// APIPathPrefix + "transaction/get".
const APIPathPrefix = "/money/" + ProtocolVersion + "/"

// ErrAPIResponse: the API's answer could not be read or its RSA signature
// did not verify.
var ErrAPIResponse = errors.New("merchant: bad VK Pay API response")

// APIRequestForm returns the signed form of an API call of method (e.g.
// "transaction/get") with body as the data body: data is base64 of
// {"body":…,"header":{"ts":…,"client_id":…}}, signed with
// [APISignature] over the method's path.
func (c *Client) APIRequestForm(method string, body any) (url.Values, error) {
	js, err := json.Marshal(struct {
		Body   any `json:"body"`
		Header struct {
			TS       int64 `json:"ts"`
			ClientID int64 `json:"client_id"`
		} `json:"header"`
	}{Body: body, Header: struct {
		TS       int64 `json:"ts"`
		ClientID int64 `json:"client_id"`
	}{c.cfg.Now().Unix(), c.clientID()}})
	if err != nil {
		return nil, fmt.Errorf("merchant: encoding %s body: %w", method, err)
	}
	data := base64.StdEncoding.EncodeToString(js)
	path := APIPathPrefix + strings.Trim(method, "/")
	return url.Values{
		"data":      {data},
		"version":   {ProtocolVersion},
		"signature": {APISignature(path, data, c.cfg.APIKey, c.cfg.Hash)},
	}, nil
}

// Call calls an API method and decodes the body of the answer's data into
// out (may be nil). The answer's RSA signature is verified when a public
// key is configured. An error answer is a *[paykit.APIError] (matching
// [paykit.ErrAPI]) whose Code is VK Pay's (e.g. ERR_ARGUMENTS,
// ERR_NOT_FOUND) and whose Message ends with VK Pay's error_id.
//
// VK Pay holds the merchant's keys, so an error page or message may echo
// them or the request's signature: every credential the Client holds
// (MerchantKey, APIKey, AppSecret) and the signature of the request are
// replaced by "[redacted]" in Code, Message and Body, in any letter case,
// as they are, percent-, JSON- or base64-encoded.
func (c *Client) Call(ctx context.Context, method string, body, out any) error {
	form, err := c.APIRequestForm(method, body)
	if err != nil {
		return err
	}
	endpoint := strings.TrimRight(c.cfg.BaseURL, "/") + APIPathPrefix + strings.Trim(method, "/")
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("merchant: calling %s: %w", method, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("%w: reading: %w", ErrAPIResponse, err)
	}
	return c.decodeAPI(resp.StatusCode, raw, out, form.Get("signature"))
}

// decodeAPI decodes an API answer; reqSig is the signature of the request
// it answers, redacted with the credentials from any *APIError.
func (c *Client) decodeAPI(status int, raw []byte, out any, reqSig string) error {
	var ans struct {
		Version   string `json:"version"`
		Data      string `json:"data"`
		Signature string `json:"signature"`
	}
	if err := json.Unmarshal(raw, &ans); err != nil || ans.Data == "" {
		return c.apiError(status, "HTTP", "response is not a VK Pay answer", "", raw, reqSig)
	}
	if len(c.keys) > 0 {
		sig, err := decodeBase64(ans.Signature)
		if err != nil || signature.VerifyRSA([]byte(ans.Data), sig, c.keys, c.cfg.RSAHash) != nil {
			return fmt.Errorf("%w: signature does not verify", ErrAPIResponse)
		}
	}
	js, err := decodeBase64(ans.Data)
	if err != nil {
		return fmt.Errorf("%w: data is not base64", ErrAPIResponse)
	}
	var env struct {
		Header struct {
			Status string `json:"status"`
			Error  struct {
				Code    string     `json:"code"`
				Message string     `json:"message"`
				ErrorID FlexString `json:"error_id"`
			} `json:"error"`
		} `json:"header"`
		Body json.RawMessage `json:"body"`
	}
	if err := json.Unmarshal(js, &env); err != nil {
		return fmt.Errorf("%w: data: %w", ErrAPIResponse, err)
	}
	if !strings.EqualFold(env.Header.Status, "OK") || status >= 300 {
		e := env.Header.Error
		return c.apiError(status, e.Code, e.Message, string(e.ErrorID), raw, reqSig)
	}
	if out != nil && len(env.Body) > 0 {
		if err := json.Unmarshal(env.Body, out); err != nil {
			return fmt.Errorf("%w: body: %w", ErrAPIResponse, err)
		}
	}
	return nil
}

// apiError builds a *paykit.APIError with the client's credentials and
// reqSig redacted from everything the server sent.
func (c *Client) apiError(status int, code, msg, id string, raw []byte, reqSig string) *paykit.APIError {
	if id != "" {
		msg += " (error_id " + id + ")"
	}
	secrets := []string{c.cfg.MerchantKey, c.cfg.APIKey, c.cfg.AppSecret, reqSig}
	return &paykit.APIError{
		Provider:   paykit.VKPay,
		StatusCode: status,
		Code:       redact.String(code, secrets...),
		Message:    redact.String(msg, secrets...),
		Body:       redact.Bytes(raw, secrets...),
	}
}
