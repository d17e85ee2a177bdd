package xsolla

import (
	"encoding/json"
	"errors"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/callback"
)

// Error codes of Xsolla's webhook error replies.
const (
	CodeInvalidUser      = "INVALID_USER"
	CodeInvalidParameter = "INVALID_PARAMETER"
	CodeInvalidSignature = "INVALID_SIGNATURE"
	CodeInvalidClientIP  = "INVALID_CLIENT_IP"
	CodeIncorrectAmount  = "INCORRECT_AMOUNT"
	CodeIncorrectInvoice = "INCORRECT_INVOICE"
	CodeClientError      = "CLIENT_ERROR"
	CodeServerError      = "SERVER_ERROR"
)

// Errors a hook returns to refuse a payment whose amount or invoice does
// not match the merchant's order; the handler answers 400 with
// INCORRECT_AMOUNT or INCORRECT_INVOICE. Wrap them to add detail; the
// detail is not sent to Xsolla.
var (
	ErrIncorrectAmount  = errors.New("xsolla: incorrect amount")
	ErrIncorrectInvoice = errors.New("xsolla: incorrect invoice")
)

// ErrorReply is the body of an error answer:
// {"error":{"code":"INVALID_USER","message":"Invalid user"}}.
type ErrorReply struct {
	Error ErrorBody `json:"error"`
}

// ErrorBody is the inside of an [ErrorReply].
type ErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// UserInfo is the answer to user_search: 200 {"user":{…}}.
type UserInfo struct {
	ID       string `json:"id"`
	PublicID string `json:"public_id,omitempty"`
	Name     string `json:"name,omitempty"`
	Email    string `json:"email,omitempty"`
	Phone    string `json:"phone,omitempty"`
}

// UserSearchReply is the body of the user_search answer.
type UserSearchReply struct {
	User UserInfo `json:"user"`
}

// PinCodeReply is the body of the get_pincode answer.
type PinCodeReply struct {
	PinCode string `json:"pin_code"`
}

var errorMessages = map[string]string{
	CodeInvalidUser:      "Invalid user",
	CodeInvalidParameter: "Invalid parameter",
	CodeInvalidSignature: "Invalid signature",
	CodeInvalidClientIP:  "Invalid client IP",
	CodeIncorrectAmount:  "Incorrect amount",
	CodeIncorrectInvoice: "Incorrect invoice",
	CodeClientError:      "Request refused",
	CodeServerError:      "Temporary failure, please retry",
}

// errorBody renders the reply for code; the message is fixed per code so
// that no hook error text or secret leaks to the caller.
func errorBody(code string) []byte {
	b, _ := json.Marshal(ErrorReply{Error: ErrorBody{Code: code, Message: errorMessages[code]}})
	return b
}

// ParseErrorCode maps a ParseCallback error to the error code Xsolla
// expects: INVALID_CLIENT_IP, INVALID_SIGNATURE or INVALID_PARAMETER.
func ParseErrorCode(err error) string {
	return failureCode(callback.ClassifyParse(err), err)
}

// HookErrorCode maps a hook error to an answer: the code, and whether it is
// temporary (answer 5xx so Xsolla retries) rather than final (400).
func HookErrorCode(err error) (code string, temporary bool) {
	c := callback.ClassifyHook(err)
	return failureCode(c, err), c == callback.Retry
}

// failureCode is the error code of a delivery that failed with class c
// because of err (err may be nil).
func failureCode(c callback.Class, err error) string {
	switch {
	case err == nil:
	case errors.Is(err, ErrClientIP):
		return CodeInvalidClientIP
	case errors.Is(err, ErrIncorrectAmount):
		return CodeIncorrectAmount
	case errors.Is(err, ErrIncorrectInvoice):
		return CodeIncorrectInvoice
	}
	switch c {
	case callback.MissingSignature, callback.InvalidSignature:
		return CodeInvalidSignature
	case callback.Rejected:
		if errors.Is(err, paykit.ErrUnknownUser) {
			return CodeInvalidUser
		}
		return CodeInvalidParameter
	case callback.Retry:
		return CodeServerError
	case callback.Failed:
		return CodeClientError
	default:
		return CodeInvalidParameter
	}
}
