package paykit_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/paykit-go/paykit"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want paykit.Outcome
	}{
		{"success", nil, paykit.OutcomeOK},
		{"unknown item", fmt.Errorf("sku x: %w", paykit.ErrUnknownItem), paykit.OutcomeRejected},
		{"unknown user", paykit.ErrUnknownUser, paykit.OutcomeRejected},
		{"temporary", paykit.Temporary(errors.New("db")), paykit.OutcomeRetry},
		{"wrapped temporary", fmt.Errorf("x: %w", paykit.Temporary(errors.New("db"))), paykit.OutcomeRetry},
		{"in progress", paykit.ErrInProgress, paykit.OutcomeRetry},
		{"hook ran out of time", context.DeadlineExceeded, paykit.OutcomeRetry},
		{"other failure", errors.New("bad"), paykit.OutcomeFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, paykit.Classify(tt.err))
		})
	}
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
