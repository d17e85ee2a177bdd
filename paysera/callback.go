package paysera

import (
	"context"
	"crypto"
	"fmt"
	"net/http"
	"net/url"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/form"
	"github.com/paykit-go/paykit/signature"
)

// ParseCallback verifies and decodes the callback Paysera sent to your
// callbackurl (a GET with data, ss1, ss2 and possibly ss3 in the query; or
// only data when callback encryption is enabled in the project). A POST
// is read from its form body, or from its query when the body carries
// none of those parameters (both at once are refused). Other methods are
// refused as malformed. The query or body is capped at 64 KiB (the
// handler's cap is paykit.HandlerOptions.MaxBodyBytes).
//
// Nothing is trusted before it is verified:
//   - with ss3 the RSA-SHA256 signature is checked, else with ss2 the
//     RSA-SHA1 one, with Paysera's public key (see [Config.PublicKeyPEM]);
//   - a callback with ss1 only is accepted only with [Config.AcceptSS1];
//   - without any signature, data must decrypt with AES-256-GCM under the
//     project password (or a previous one).
//
// Then the decoded projectid must be the configured project, and Paysera's
// id of the event must be there (requestid for macro callbacks, id for
// micro ones). Errors match the root sentinels: [paykit.ErrMalformed] (no
// data, bad encoding, duplicate keys, no id, wrong method),
// [paykit.ErrMissingSignature], [paykit.ErrInvalidSignature],
// [paykit.ErrWrongAccount], [paykit.ErrBodyTooLarge]. When the key cannot
// be obtained at all the error is also [paykit.IsTemporary]. The request's
// context bounds the wait for a key download (not the download itself).
//
// ParseCallback does not check status, amount, currency or the test flag:
// compare them with your order. Only what data carries is authenticated:
// parameters of your own on the callbackurl (e.g. ?order=5 or ?shop=a;b)
// are skipped unread, whatever they hold — they never make a valid
// callback fail and are not in the Callback — and anyone can change them,
// so find the order by cb.OrderID, never by them. Paysera's own
// parameters are judged: one given twice, with a bad escape or with a
// semicolon is [paykit.ErrMalformed].
func (c *Client) ParseCallback(r *http.Request) (*Callback, error) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		return nil, fmt.Errorf("%w: method %s", paykit.ErrMalformed, form.Clip(r.Method))
	}
	input := r.URL.RawQuery // a GET's, used as it is
	if r.Method == http.MethodPost {
		body, err := form.ReadInput(r, form.DefaultMaxBytes)
		if err != nil {
			return nil, err
		}
		input = string(body)
	} else if len(input) > form.DefaultMaxBytes {
		return nil, fmt.Errorf("%w: query over %d bytes", paykit.ErrBodyTooLarge, form.DefaultMaxBytes)
	}
	p, err := requestParams(r, input, form.DefaultMaxBytes)
	if err != nil {
		return nil, err
	}
	return c.parse(r.Context(), p)
}

// ParseBody is [Client.ParseCallback] over the raw input: body is the raw
// query string of a GET callback or the form body of a POST one. Paysera
// signs nothing in headers; header is ignored and may be nil.
func (c *Client) ParseBody(body []byte, header http.Header) (*Callback, error) {
	_ = header
	if len(body) > form.DefaultMaxBytes {
		return nil, fmt.Errorf("%w: over %d bytes", paykit.ErrBodyTooLarge, form.DefaultMaxBytes)
	}
	p, err := callbackQuery(string(body))
	if err != nil {
		return nil, err
	}
	return c.parse(context.Background(), p)
}

// ParseValues is [Client.ParseCallback] over already parsed parameters
// (data, ss1, ss2, ss3), for frameworks that parse the query themselves.
// Parameters given more than once are refused.
func (c *Client) ParseValues(v url.Values) (*Callback, error) {
	p, err := paramsFromValues(v)
	if err != nil {
		return nil, err
	}
	return c.parse(context.Background(), p)
}

// inputString is input as a string: a GET's input is its raw query,
// which is used as it is rather than copied.
func inputString(r *http.Request, input []byte) string {
	if r.Method == http.MethodGet && len(input) == len(r.URL.RawQuery) {
		return r.URL.RawQuery
	}
	return string(input)
}

// requestParams takes data, ss1, ss2 and ss3 from input (a GET's query or
// a POST's body), or from a POST's query (at most limit bytes) when its
// body has none of them.
func requestParams(r *http.Request, input string, limit int64) (callbackParams, error) {
	inInput, err := callbackQuery(input)
	if err != nil || r.Method != http.MethodPost {
		return inInput, err
	}
	if int64(len(r.URL.RawQuery)) > limit {
		return callbackParams{}, fmt.Errorf("%w: query over %d bytes", paykit.ErrBodyTooLarge, limit)
	}
	inQuery, err := callbackQuery(r.URL.RawQuery)
	if err != nil {
		return callbackParams{}, err
	}
	switch {
	case !inInput.any():
		return inQuery, nil
	case inQuery.any():
		return callbackParams{}, fmt.Errorf("%w: callback parameters both in the query and in the body", paykit.ErrMalformed)
	}
	return inInput, nil
}

// paramsFromValues takes the four parameters from v, refusing any of them
// given more than once.
func paramsFromValues(v url.Values) (callbackParams, error) {
	var p callbackParams
	for _, k := range [...]string{"data", "ss1", "ss2", "ss3"} {
		if len(v[k]) > 1 {
			return p, fmt.Errorf("%w: parameter %s given more than once", paykit.ErrMalformed, k)
		}
	}
	p.data, p.hasData = first(v, "data")
	p.ss1, p.hasSS1 = first(v, "ss1")
	p.ss2, p.hasSS2 = first(v, "ss2")
	p.ss3, p.hasSS3 = first(v, "ss3")
	return p, nil
}

func first(v url.Values, k string) (string, bool) {
	vs, ok := v[k]
	if !ok || len(vs) == 0 {
		return "", ok
	}
	return vs[0], true
}

func (c *Client) parse(ctx context.Context, p callbackParams) (*Callback, error) {
	if p.data == "" {
		return nil, fmt.Errorf("%w: \"data\" parameter not found", paykit.ErrMalformed)
	}
	query, via, err := c.open(ctx, &p)
	if err != nil {
		return nil, err
	}
	cb, err := callbackFromQuery(query)
	if err != nil {
		return nil, err
	}
	cb.VerifiedBy = via
	if cb.ProjectID == "" {
		return nil, fmt.Errorf("%w: project id not provided in callback", paykit.ErrMalformed)
	}
	if cb.ProjectID != c.account {
		return nil, fmt.Errorf("%w: callback for project %s", paykit.ErrWrongAccount, form.Clip(cb.ProjectID))
	}
	return cb, nil
}

// open authenticates data and returns the decoded parameter string and how
// it was authenticated.
func (c *Client) open(ctx context.Context, p *callbackParams) (string, string, error) {
	switch {
	case p.hasSS3:
		return c.openRSA(ctx, crypto.SHA256, p, p.ss3, "ss3")
	case p.hasSS2:
		return c.openRSA(ctx, crypto.SHA1, p, p.ss2, "ss2")
	case p.hasSS1:
		return c.openSS1(p.value(p.data), p.value(p.ss1))
	default:
		q, err := c.decrypt(p.value(p.data))
		if err != nil {
			return "", "", err
		}
		return q, "aes-gcm", nil
	}
}

// openRSA verifies the signature sigText over p's data, then decodes data.
func (c *Client) openRSA(ctx context.Context, hash crypto.Hash, p *callbackParams, sigText, name string) (string, string, error) {
	sig, err := decodeSignature(p.value(sigText))
	if err != nil || len(sig) == 0 {
		return "", "", fmt.Errorf("%w: %s is not base64", paykit.ErrInvalidSignature, name)
	}
	data := p.bytes(p.data)
	if err := c.keys.verify(ctx, hash, data, sig); err != nil {
		return "", "", fmt.Errorf("%s: %w", name, err)
	}
	q, err := decodeBase64Bytes(data)
	if err != nil {
		return "", "", fmt.Errorf("%w: data: %w", paykit.ErrMalformed, err)
	}
	return string(q), name, nil
}

// openSS1 checks that ss1 is md5(data + password), for the password or a
// previous one, when ss1 is accepted at all, then decodes data. Paysera
// sends ss1 in lower case and its library compares exactly, so anything
// but lower-case hex is refused before the (case-folding, constant-time)
// comparison of package signature.
func (c *Client) openSS1(data, ss1 string) (string, string, error) {
	if !c.acceptSS1 {
		return "", "", fmt.Errorf("%w: only ss1 present and AcceptSS1 is off", paykit.ErrMissingSignature)
	}
	if !lowerHex(ss1) || signature.VerifyJoinedMD5([]string{data}, "", ss1, c.secrets) != nil {
		return "", "", fmt.Errorf("%w: ss1", paykit.ErrInvalidSignature)
	}
	q, err := decodeBase64(data)
	if err != nil {
		return "", "", fmt.Errorf("%w: data: %w", paykit.ErrMalformed, err)
	}
	return string(q), "ss1", nil
}

// lowerHex reports whether s is lower-case hex. Its time depends on what
// s is, not on any secret.
func lowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
