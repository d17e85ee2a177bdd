package vkpay

import (
	"errors"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/callback"
)

type replyError struct{ err error }

func (e replyError) Error() string { return "vkpay: invalid reply: " + e.err.Error() }
func (e replyError) Unwrap() error { return e.err }

func invalidReply(err error) error { return replyError{err} }

// failure maps a failed delivery to VK's error answer. A hook's *Error is
// answered as it is (normalised), an invalid one as error 1; otherwise the
// class decides: 10 for a bad or missing sig, 11 for any other bad input
// (naming the parameter when one was missing or wrong),
// 20 (22 for paykit.ErrUnknownUser) for a refusal, 2 (not critical) for a
// temporary failure, 1 for any other.
func failure(c callback.Class, err error) *Error {
	var ve *Error
	if errors.As(err, &ve) {
		if ve.Validate() == nil {
			return NewError(ve.Code, ve.Msg, ve.Critical)
		}
		return NewError(CodeGeneral, "internal error", true)
	}
	switch c {
	case callback.MissingSignature, callback.InvalidSignature:
		return NewError(CodeSignature, "signature mismatch", true)
	case callback.TooLarge, callback.WrongAccount, callback.UnknownType, callback.Malformed:
		var pe *paramError
		if errors.As(err, &pe) {
			return NewError(CodeBadRequest, "invalid request parameters: "+pe.key+" "+pe.reason, true)
		}
		return NewError(CodeBadRequest, "invalid request parameters", true)
	case callback.Rejected:
		if errors.Is(err, paykit.ErrUnknownUser) {
			return NewError(CodeUnknownUser, "user does not exist", true)
		}
		return NewError(CodeUnknownItem, "product does not exist", true)
	case callback.Retry:
		return NewError(CodeTemporary, "temporary error, try again later", false)
	default:
		return NewError(CodeGeneral, "internal error", true)
	}
}
