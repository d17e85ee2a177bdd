package playvision

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/signature"
)

// maxReplyBytes caps a server API reply read into memory.
const maxReplyBytes = 64 << 10

// SetUserLevel is the secure.setUserLevel call.
type SetUserLevel struct {
	UserID int64
	Level  int64
	// PSID is the game server id, needed only when the app runs several
	// servers; "" omits it.
	PSID string
}

// SetUserInfo is the secure.setUserInfo call. The platform documents one
// attribute, "name".
type SetUserInfo struct {
	UserID    int64
	Attribute string
	Value     string
	// PSID as in [SetUserLevel].
	PSID string
}

// SetUserLevel sets a user's level in the app (secure.setUserLevel).
func (c *Client) SetUserLevel(ctx context.Context, req SetUserLevel) error {
	if req.UserID <= 0 {
		return &paykit.FieldError{Field: "user_id", Reason: "must be a positive user id"}
	}
	if req.Level < 0 {
		return &paykit.FieldError{Field: "level", Reason: "must not be negative"}
	}
	p := url.Values{
		"user_id": {strconv.FormatInt(req.UserID, 10)},
		"level":   {strconv.FormatInt(req.Level, 10)},
	}
	if req.PSID != "" {
		p.Set("psid", req.PSID)
	}
	return c.Call(ctx, "secure.setUserLevel", p)
}

// SetUserInfo sets an attribute of a user (secure.setUserInfo).
func (c *Client) SetUserInfo(ctx context.Context, req SetUserInfo) error {
	if req.UserID <= 0 {
		return &paykit.FieldError{Field: "user_id", Reason: "must be a positive user id"}
	}
	if req.Attribute == "" {
		return &paykit.FieldError{Field: "attribute", Reason: "is required"}
	}
	p := url.Values{
		"user_id":   {strconv.FormatInt(req.UserID, 10)},
		"attribute": {req.Attribute},
		"value":     {req.Value},
	}
	if req.PSID != "" {
		p.Set("psid", req.PSID)
	}
	return c.Call(ctx, "secure.setUserInfo", p)
}

// SignParams adds project_id, time (now, unix seconds) and sig to a copy
// of params, signed with Config.Secret as the secure.* methods require.
func (c *Client) SignParams(params url.Values) url.Values {
	p := make(url.Values, len(params)+3)
	for k, v := range params {
		p[k] = append([]string(nil), v...)
	}
	p.Set("project_id", c.account)
	p.Set("time", strconv.FormatInt(c.now().Unix(), 10))
	p.Del("sig")
	p.Set("sig", signature.SortedMD5Except(p, c.cfg.Secret, "sig"))
	return p
}

// Call makes a signed server API call (a secure.* method) as a POST with a
// form body to {base}/v1/{method}, and decodes the documented reply
// {"status":1,"message":"success"}. params gets project_id, time and sig
// added (see [Client.SignParams]).
//
// Errors: a *paykit.FieldError for a bad method name, a transport error
// (wrapping the context's error when ctx ended, and timing out after
// DefaultAPITimeout with the default client), or a *paykit.APIError
// (matching paykit.ErrAPI) for an HTTP status other than 2xx, a reply
// whose status is not 1, or a reply that is not the documented JSON. The
// APIError's Code is the reply's status as text ("0" for the documented
// error, "" when the body was not the documented JSON); its Message and
// Body have the request's sig and every configured secret replaced by
// "[redacted]". The returned error names the method and wraps the
// APIError.
func (c *Client) Call(ctx context.Context, method string, params url.Values) error {
	if method == "" || strings.ContainsAny(method, "/?#% ") {
		return &paykit.FieldError{Field: "method", Reason: "is not an API method name"}
	}
	signed := c.SignParams(params)
	body := signed.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/v1/"+method, strings.NewReader(body))
	if err != nil {
		return fmt.Errorf("playvision: %s: %w", method, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("playvision: %s: %w", method, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxReplyBytes))
	if err != nil {
		return fmt.Errorf("playvision: %s: reading reply: %w", method, err)
	}
	if apiErr := decodeStatus(resp.StatusCode, raw); apiErr != nil {
		c.redactAPIError(apiErr, signed.Get("sig"))
		return fmt.Errorf("playvision: %s: %w", method, apiErr)
	}
	return nil
}

// decodeStatus reads {"status":1|"1"|0,"message":…}: the docs show a
// number for secure.* and a string for notification replies, so both are
// accepted.
// It returns nil for a success.
func decodeStatus(httpStatus int, raw []byte) *paykit.APIError {
	apiErr := &paykit.APIError{Provider: paykit.Playvision, StatusCode: httpStatus, Body: raw}
	var reply struct {
		Status  json.RawMessage `json:"status"`
		Message string          `json:"message"`
	}
	if err := json.Unmarshal(raw, &reply); err != nil || len(reply.Status) == 0 {
		return apiErr
	}
	status := string(bytes.Trim(reply.Status, `"`))
	apiErr.Code, apiErr.Message = status, reply.Message
	if httpStatus/100 != 2 || status != "1" {
		return apiErr
	}
	return nil
}
