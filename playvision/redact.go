package playvision

import (
	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/redact"
)

// redactAPIError removes the request signature and every configured secret
// from e's Body and Message, in every spelling and letter case
// (internal/redact): a server or proxy that echoes the request, or a debug
// page, must not carry them into logs through the error.
func (c *Client) redactAPIError(e *paykit.APIError, sig string) {
	needles := make([]string, 0, len(c.secrets)+1)
	needles = append(needles, sig)
	needles = append(needles, c.secrets...)
	e.Body = redact.Bytes(e.Body, needles...)
	e.Message = redact.String(e.Message, needles...)
}
