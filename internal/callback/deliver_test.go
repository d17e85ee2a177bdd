package callback_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/callback"
)

func TestDeliver_PolledFirstThenTheLateCallbackIsAReplay(t *testing.T) {
	f := &fake{}
	rec := &recorder{}
	h := callback.New(f, callback.Settings{Provider: paykit.Xsolla, Account: "p1", Methods: []string{http.MethodPost}, Observer: rec})
	replayed, err := h.Deliver(context.Background(), note{id: "9"})
	require.NoError(t, err)
	assert.False(t, replayed)
	d := rec.take(t)
	assert.True(t, d.Reconciled)
	assert.Equal(t, paykit.OutcomeOK, d.Outcome)
	assert.Equal(t, "k:9", d.Key)
	assert.Equal(t, "p1", d.Account)
	assert.Empty(t, d.Method, "no request")

	w := post(h, "id=9")
	assert.Equal(t, "ok 9", w.Body.String(), "the callback gets the stored reply")
	assert.True(t, rec.take(t).Replayed)
	assert.EqualValues(t, 1, f.answers.Load(), "fulfilled once")
}

func TestDeliver_CallbackFirstThenPollingIsAReplay(t *testing.T) {
	f := &fake{}
	h := callback.New(f, callback.Settings{Methods: []string{http.MethodPost}})
	post(h, "id=9")
	replayed, err := h.Deliver(context.Background(), note{id: "9"})
	require.NoError(t, err)
	assert.True(t, replayed)
	assert.EqualValues(t, 1, f.answers.Load())
}

func TestDeliver_FailureIsNotRememberedAndIsReported(t *testing.T) {
	fail := true
	f := &fake{answer: func(_ context.Context, n paykit.Notification) ([]byte, error) {
		if fail {
			return nil, paykit.Temporary(errors.New("db down"))
		}
		return []byte("ok"), nil
	}}
	rec := &recorder{}
	h := callback.New(f, callback.Settings{Methods: []string{http.MethodPost}, Observer: rec})
	_, err := h.Deliver(context.Background(), note{id: "9"})
	require.Error(t, err)
	d := rec.take(t)
	assert.Equal(t, paykit.OutcomeRetry, d.Outcome)
	assert.Contains(t, d.Error, "db down")
	fail = false
	replayed, err := h.Deliver(context.Background(), note{id: "9"})
	require.NoError(t, err)
	assert.False(t, replayed, "the failed attempt was not remembered")
}

func TestDeliver_ConcurrentPollsAndCallbacksFulfilOnce(t *testing.T) {
	f := &fake{}
	h := callback.New(f, callback.Settings{Methods: []string{http.MethodPost}})
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 50 {
		wg.Go(func() {
			<-start
			if i%2 == 0 {
				_, err := h.Deliver(context.Background(), note{id: "9"})
				assert.NoError(t, err)
			} else {
				assert.Equal(t, "ok 9", post(h, "id=9").Body.String())
			}
		})
	}
	close(start)
	wg.Wait()
	assert.EqualValues(t, 1, f.answers.Load())
}
