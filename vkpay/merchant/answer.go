package merchant

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/paykit-go/paykit"
)

// Notify types of a success answer (spec B.4).
const (
	NotifyDelivered = "payment_delivered"
	NotifyDeclined  = "payment_declined"
	// NotifyTransactionStatus is the notify_type of error answers.
	NotifyTransactionStatus = "TRANSACTION_STATUS"
)

// ErrorCode is the code of an error answer.
type ErrorCode string

// The error codes of spec B.4.
const (
	// ErrSystem: a failure on your side; VK Pay resends.
	ErrSystem ErrorCode = "ERR_SYSTEM"
	// ErrArguments, ErrSignature and ErrDuplicate stop the resends.
	ErrArguments ErrorCode = "ERR_ARGUMENTS"
	ErrSignature ErrorCode = "ERR_SIGNATURE"
	ErrDuplicate ErrorCode = "ERR_DUPLICATE"
)

// Answer is the JSON reply to a notification:
// {"version":"2-03","data":"<base64 JSON>","signature":"<hex>"}.
type Answer struct {
	Version   string `json:"version"`
	Data      string `json:"data"`
	Signature string `json:"signature"`
}

type answerHeader struct {
	Status   string       `json:"status"`
	TS       int64        `json:"ts"`
	ClientID int64        `json:"client_id"`
	Error    *answerError `json:"error,omitempty"`
}

type answerError struct {
	Code    ErrorCode `json:"code"`
	Message string    `json:"message"`
}

type answerBody struct {
	TransactionID string          `json:"transaction_id"`
	NotifyType    string          `json:"notify_type"`
	StoreInfo     json.RawMessage `json:"store_info,omitempty"`
}

// Ack returns the signed success answer for a notification:
// notify_type payment_delivered, or payment_declined when declined.
func (c *Client) Ack(transactionID string, declined bool) ([]byte, error) {
	typ := NotifyDelivered
	if declined {
		typ = NotifyDeclined
	}
	return c.answer(answerBody{TransactionID: transactionID, NotifyType: typ},
		answerHeader{Status: "OK"})
}

// ErrorAnswer returns the signed error answer. ErrSystem makes VK Pay
// resend; the other codes stop it. message must not contain secrets.
func (c *Client) ErrorAnswer(transactionID string, code ErrorCode, message string) ([]byte, error) {
	return c.answer(answerBody{TransactionID: transactionID, NotifyType: NotifyTransactionStatus},
		answerHeader{Status: "ERROR", Error: &answerError{Code: code, Message: message}})
}

func (c *Client) answer(body answerBody, header answerHeader) ([]byte, error) {
	header.TS = c.cfg.Now().Unix()
	header.ClientID = c.clientID()
	js, err := json.Marshal(struct {
		Body   answerBody   `json:"body"`
		Header answerHeader `json:"header"`
	}{body, header})
	if err != nil {
		return nil, err
	}
	data := base64.StdEncoding.EncodeToString(js)
	return json.Marshal(Answer{
		Version:   ProtocolVersion,
		Data:      data,
		Signature: AnswerSignature(data, c.cfg.MerchantKey, c.cfg.Hash),
	})
}

// Handler returns an http.Handler for merchant notifications: it verifies
// each one, runs hooks.Event once per [Client.Key] through
// [paykit.Fulfil] (repeats get the first answer byte for byte), and
// answers:
//
//   - Event ok: payment_delivered;
//   - Event returns paykit.ErrUnknownItem or ErrUnknownUser:
//     payment_declined;
//   - a temporary or any other Event error, or a nil Event: ERR_SYSTEM, so
//     VK Pay resends and nothing is lost;
//   - bad or missing signature: ERR_SIGNATURE; other bad input:
//     ERR_ARGUMENTS;
//   - a request that is not a POST: 405 with Allow: POST.
//
// Answers are HTTP 200 JSON. Event gets a context inside a 10 s deadline.
func (c *Client) Handler(hooks paykit.Hooks) http.Handler {
	store := hooks.StoreOrDefault()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			// VK Pay posts notifications; nothing else is read.
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		n, err := c.ParseNotification(r)
		if err != nil {
			code := ErrArguments
			if isSignatureError(err) {
				code = ErrSignature
			}
			c.write(w, c.mustError("", code, "notification refused"))
			return
		}
		ctx, cancel := paykit.HookContext(r.Context(), hookLimit)
		defer cancel()
		reply, _, err := paykit.Fulfil(ctx, store, c.Key(n), func(ctx context.Context) ([]byte, error) {
			if hooks.Event == nil {
				return nil, paykit.Temporary(errNoEvent)
			}
			if err := hooks.Event(ctx, n); err != nil {
				return nil, err
			}
			return c.Ack(n.Body.TransactionID, false)
		})
		if err != nil {
			if paykit.Classify(err) == paykit.OutcomeRejected {
				reply, err = c.Ack(n.Body.TransactionID, true)
			} else {
				reply, err = c.ErrorAnswer(n.Body.TransactionID, ErrSystem, "temporary failure")
			}
			if err != nil {
				http.Error(w, "internal error", http.StatusInternalServerError)
				return
			}
		}
		c.write(w, reply)
	})
}

func (c *Client) mustError(txn string, code ErrorCode, msg string) []byte {
	b, err := c.ErrorAnswer(txn, code, msg)
	if err != nil {
		return []byte(`{}`)
	}
	return b
}

func (c *Client) write(w http.ResponseWriter, b []byte) {
	paykit.WriteBytes(w, http.StatusOK, "application/json; charset=utf-8", b)
}

func isSignatureError(err error) bool {
	return errors.Is(err, paykit.ErrInvalidSignature) || errors.Is(err, paykit.ErrMissingSignature)
}

var errNoEvent = errors.New("merchant: no Event hook configured")

// hookLimit bounds how long a notification is kept waiting; VK Pay
// documents no limit, so the votes limit is used.
const hookLimit = 10 * time.Second

// Key returns the idempotency key under which [Client.Handler] stores the
// answer to n: [paykit.IdempotencyKey] over the merchant account, the
// kind (payment or refund), VK Pay's own status and transaction_id. VK
// Pay's status is used rather than the neutral one because several of its
// statuses share one neutral status (new, wait, process and held are all
// pending) and each is a distinct event. The account is written
// "merchant:<MerchantID>" so that no VK Pay key can equal a votes key of
// package vkpay, whose account is the app id, in a shared Store. Other
// notification types are not stored; Key returns "".
func (c *Client) Key(n paykit.Notification) string {
	m, ok := n.(*Notification)
	if !ok {
		return ""
	}
	s := m.Summary()
	s.Status = paykit.Status(m.Body.Status)
	return paykit.IdempotencyKey("merchant:"+c.account, summaryOnly(s))
}

// summaryOnly is a Summary standing for its notification when keying.
type summaryOnly paykit.Summary

func (s summaryOnly) Summary() paykit.Summary { return paykit.Summary(s) }
