package paykit_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/paykit-go/paykit"
)

func TestIsTemporary(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"unknown item", fmt.Errorf("sku x: %w", paykit.ErrUnknownItem), false},
		{"temporary", paykit.Temporary(errors.New("db")), true},
		{"wrapped temporary", fmt.Errorf("x: %w", paykit.Temporary(errors.New("db"))), true},
		{"in progress", paykit.ErrInProgress, true},
		{"hook ran out of time", context.DeadlineExceeded, true},
		{"API overloaded", fmt.Errorf("refund: %w", &paykit.APIError{StatusCode: 503}), true},
		{"API rate limit", &paykit.APIError{StatusCode: 429}, true},
		{"API marked retryable", &paykit.APIError{StatusCode: 200, Retryable: true}, true},
		{"API refused", &paykit.APIError{StatusCode: 422, Code: "1401"}, false},
		{"other failure", errors.New("bad"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, paykit.IsTemporary(tt.err))
		})
	}
}

func TestAPIError_MatchesErrAPIAndEchoesNoBody(t *testing.T) {
	err := fmt.Errorf("xsolla: refund: %w", &paykit.APIError{Provider: paykit.Xsolla, StatusCode: 422,
		Code: "1401", Message: "Invalid amount", Body: []byte(`{"secret-looking":"body"}`)})
	assert.ErrorIs(t, err, paykit.ErrAPI)
	assert.NotErrorIs(t, err, paykit.ErrMalformed)
	var api *paykit.APIError
	assert.ErrorAs(t, err, &api)
	assert.Equal(t, "xsolla: refund: paykit: xsolla API error (HTTP 422): code 1401: Invalid amount", err.Error())
	assert.NotContains(t, err.Error(), "body", "the body stays in the field, out of the message")
}

func TestTemporary_KeepsTheCauseAndNil(t *testing.T) {
	cause := errors.New("db down")
	err := paykit.Temporary(cause)
	assert.ErrorIs(t, err, cause)
	assert.Equal(t, "db down", err.Error())
	assert.Nil(t, paykit.Temporary(nil))
	assert.False(t, paykit.IsTemporary(cause))
	assert.False(t, paykit.IsTemporary(nil))
}

func TestFieldError_MatchesErrInvalidRequest(t *testing.T) {
	var err error = &paykit.FieldError{Field: "orderid", Reason: "required"}
	assert.ErrorIs(t, fmt.Errorf("build: %w", err), paykit.ErrInvalidRequest)
	var fe *paykit.FieldError
	assert.True(t, errors.As(err, &fe))
	assert.Equal(t, "orderid", fe.Field)
	assert.Contains(t, err.Error(), "orderid: required")
	assert.NotErrorIs(t, err, paykit.ErrMalformed)
}
