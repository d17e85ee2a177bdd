package paysera

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/paykit-go/paykit/signature"
)

// Reply bodies Paysera expects from the callback URL.
const (
	// ReplyOK acknowledges a callback. Anything else counts as not
	// delivered and Paysera retries.
	ReplyOK = "OK"
)

// MicroReply returns the answer to an SMS (micro) callback: "OK" followed
// by a space and text, which Paysera sends back to the payer as the reply
// SMS. Line breaks in text become spaces. An empty text gives plain "OK"
// (answer later with [Client.SendSMSAnswer]).
func MicroReply(text string) []byte {
	text = strings.TrimSpace(strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace(text))
	if text == "" {
		return []byte(ReplyOK)
	}
	return []byte(ReplyOK + " " + text)
}

// ErrSMSAnswer: Paysera did not accept a deferred SMS answer.
var ErrSMSAnswer = errors.New("paysera: SMS answer not accepted")

// SMSAnswerURL returns the deferred-answer call for the SMS with id smsID:
// the SMS-answer endpoint with id, msg and transaction = md5(password + "|"
// + id). The URL contains a digest of the password; do not log it.
func (c *Client) SMSAnswerURL(smsID, text string) string {
	return c.endpoints.smsAnswer + "?" + buildQuery([]field{
		{"id", smsID},
		{"msg", text},
		{"transaction", c.smsTransaction(smsID)},
	})
}

// smsTransaction is the SMS answer's credential: md5(password + "|" + id).
func (c *Client) smsTransaction(smsID string) string {
	return signature.JoinedMD5([]string{c.password}, "|", smsID)
}

// SendSMSAnswer sends the reply SMS for an earlier micro callback whose
// answer was deferred (Paysera marks this call deprecated but still
// documents it). It succeeds iff Paysera's answer starts with "OK"; other
// answers give an error matching [ErrSMSAnswer] and [paykit.ErrAPI] (a
// *[paykit.APIError] with HTTP 200 whose Message is Paysera's text),
// with the credentials redacted.
func (c *Client) SendSMSAnswer(ctx context.Context, smsID, text string) error {
	if smsID == "" {
		return fmt.Errorf("%w: empty SMS id", ErrSMSAnswer)
	}
	transaction := c.smsTransaction(smsID)
	body, err := c.get(ctx, c.SMSAnswerURL(smsID, text), 64<<10, transaction)
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(body, []byte("OK")) {
		return fmt.Errorf("%w: %w", ErrSMSAnswer, c.apiError(http.StatusOK, body, true, transaction))
	}
	return nil
}
