package playvision

import (
	"bytes"
	"net/url"
)

// redacted replaces a credential in an API error's Body and Message.
const redacted = "[redacted]"

// redactAPIError removes the request signature and every configured secret
// (as given and URL-encoded, in any ASCII case) from e's Body and Message:
// a server or proxy that echoes the request, or a debug page, must not
// carry them into logs through the error.
func (c *Client) redactAPIError(e *APIError, sig string) {
	needles := make([]string, 0, 2*len(c.secrets)+1)
	needles = append(needles, sig)
	for _, s := range c.secrets {
		needles = append(needles, s)
		if q := url.QueryEscape(s); q != s {
			needles = append(needles, q)
		}
	}
	e.Body = redact(e.Body, needles)
	e.Message = string(redact([]byte(e.Message), needles))
}

// redact returns b with every occurrence of each non-empty needle, matched
// ignoring ASCII case, replaced by [redacted]. Bodies are capped at
// maxReplyBytes, so the simple scan is cheap enough for an error path.
func redact(b []byte, needles []string) []byte {
	for _, n := range needles {
		if n == "" || len(n) > len(b) {
			continue
		}
		var out []byte
		last := 0
		for i := 0; i+len(n) <= len(b); {
			if bytes.EqualFold(b[i:i+len(n)], []byte(n)) {
				out = append(out, b[last:i]...)
				out = append(out, redacted...)
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
