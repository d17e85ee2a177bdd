package playvision

import (
	"bytes"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/redact"
)

// redactAPIError removes the request signature and every configured secret
// from e's Body and Message: a server or proxy that echoes the request, or
// a debug page, must not carry them into logs through the error. The
// shared pass (internal/redact) removes them as given, URL-encoded and in
// base64; a second pass removes them in any ASCII case, since the hex of a
// sig echoed in upper case is still the sig.
func (c *Client) redactAPIError(e *paykit.APIError, sig string) {
	needles := make([]string, 0, len(c.secrets)+1)
	needles = append(needles, sig)
	needles = append(needles, c.secrets...)
	e.Body = foldRedact(redact.Bytes(e.Body, needles...), needles)
	e.Message = string(foldRedact(redact.Bytes([]byte(e.Message), needles...), needles))
}

// foldRedact returns b with every occurrence of each non-empty needle,
// matched ignoring ASCII case, replaced by redact.Mark. Bodies are capped
// at maxReplyBytes, so the simple scan is cheap enough for an error path.
func foldRedact(b []byte, needles []string) []byte {
	for _, n := range needles {
		if n == "" || len(n) > len(b) {
			continue
		}
		var out []byte
		last := 0
		for i := 0; i+len(n) <= len(b); {
			if bytes.EqualFold(b[i:i+len(n)], []byte(n)) {
				out = append(out, b[last:i]...)
				out = append(out, redact.Mark...)
				i += len(n)
				last = i
				continue
			}
			i++
		}
		if out != nil {
			b = append(out, b[last:]...)
		}
	}
	return b
}
