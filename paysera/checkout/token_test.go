package checkout

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/jarcoal/httpmock"
)

// A caller whose context ends while it renews the token for others does
// not pass its cancellation on: a waiting caller asks again and gets a
// token.
func TestAccessToken_OwnersCancellationIsNotSharedWithWaiters(t *testing.T) {
	m := newMock(t, Config{MaxRetries: -1})
	arrived, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	var calls atomic.Int32
	m.mt.RegisterResponder(http.MethodPost, mockBase+TokenPath, func(req *http.Request) (*http.Response, error) {
		if calls.Add(1) == 1 {
			close(arrived)
			select {
			case <-release:
			case <-req.Context().Done():
				return nil, req.Context().Err()
			}
		}
		return httpmock.NewStringResponse(200, `{"access_token":"`+mockToken+`","expires_in":3600,"token_type":"Bearer"}`), nil
	})
	ownerCtx, cancel := context.WithCancel(context.Background())
	ownerErr := make(chan error, 1)
	go func() {
		_, err := m.c.accessToken(ownerCtx)
		ownerErr <- err
	}()
	<-arrived
	waiting := make(chan struct{})
	m.c.onWait = func() { close(waiting) }
	waiter := make(chan error, 1)
	go func() {
		tok, err := m.c.accessToken(context.Background())
		if err == nil && tok != mockToken {
			err = errors.New("wrong token " + tok)
		}
		waiter <- err
	}()
	<-waiting // the waiter waits for the owner's renewal
	cancel()
	if err := <-ownerErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("owner: %v", err)
	}
	if err := <-waiter; err != nil {
		t.Fatalf("waiter: %v", err)
	}
}
