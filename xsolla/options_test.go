package xsolla

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/key"
)

// errorLog collects what HandlerOptions.ErrorLog is told.
type errorLog struct {
	mu   sync.Mutex
	errs []error
}

func (l *errorLog) log(_ *http.Request, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, err)
}

func (l *errorLog) all() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]error(nil), l.errs...)
}

func TestHandlerOptionsMaxBodyBytes(t *testing.T) {
	c := newTestClient(t)
	var log errorLog
	h := c.HandlerWith(paykit.Hooks{}, HandlerOptions{HandlerOptions: paykit.HandlerOptions{MaxBodyBytes: int64(len(userBody)), ErrorLog: log.log}})
	assert.Equal(t, http.StatusNoContent, post(h, userBody).Code, "a body of exactly the cap is read")
	long := strings.Replace(userBody, `"u1"`, `"u12"`, 1)
	w := post(h, long)
	assert.Equal(t, http.StatusBadRequest, w.Code)
	assert.Equal(t, CodeInvalidParameter, errorCode(t, w))
	errs := log.all()
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], paykit.ErrBodyTooLarge)
}

func TestHandlerOptionsHookTimeoutIsRetried(t *testing.T) {
	c := newTestClient(t)
	waited := make(chan struct{})
	h := c.HandlerWith(paykit.Hooks{Event: func(ctx context.Context, _ paykit.Notification) error {
		<-ctx.Done() // only the hook deadline ends this wait
		close(waited)
		return ctx.Err()
	}}, HandlerOptions{HandlerOptions: paykit.HandlerOptions{HookTimeout: 1}})
	w := post(h, paymentBody)
	<-waited
	assert.Equal(t, http.StatusInternalServerError, w.Code)
	assert.Equal(t, CodeServerError, errorCode(t, w))
}

func TestHandlerOptionsErrorLogNeverHoldsTheSecret(t *testing.T) {
	c := newTestClient(t)
	var log errorLog
	h := c.HandlerWith(paykit.Hooks{}, HandlerOptions{HandlerOptions: paykit.HandlerOptions{ErrorLog: log.log}})
	good := sign(userBody, testSecret)
	nearMiss := good[:len(good)-1] + string("0123456789abcdef"[(strings.IndexByte("0123456789abcdef", good[len(good)-1])+1)%16])
	w := serve(h, userBody, nearMiss)
	assert.Equal(t, CodeInvalidSignature, errorCode(t, w))
	errs := log.all()
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], paykit.ErrInvalidSignature)
	for _, leak := range []string{testSecret, good[len("Signature "):]} {
		assert.NotContains(t, errs[0].Error(), leak)
		assert.NotContains(t, w.Body.String(), leak)
	}
}

func TestHandlerAllowlistAnswersInvalidClientIP(t *testing.T) {
	c := newTestClient(t, func(c *Config) { c.AllowedIPs = WebhookIPs() })
	events := 0
	h := c.Handler(paykit.Hooks{Event: func(context.Context, paykit.Notification) error { events++; return nil }})
	r := webhookRequest(paymentBody, sign(paymentBody, testSecret))
	r.RemoteAddr = "203.0.113.9:1234"
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	assert.Equal(t, http.StatusBadRequest, w.Code)
	assert.Equal(t, CodeInvalidClientIP, errorCode(t, w))
	r = webhookRequest(paymentBody, sign(paymentBody, testSecret))
	r.RemoteAddr = "185.30.20.7:1234"
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	assert.Equal(t, http.StatusNoContent, w.Code)
	assert.Equal(t, 1, events)
}

func TestParseBodyReadsAuthorizationFromHeader(t *testing.T) {
	c := newTestClient(t)
	body := []byte(userBody)
	good := sign(userBody, testSecret)
	tests := []struct {
		name   string
		header http.Header
		want   error
	}{
		{"nil header", nil, paykit.ErrMissingSignature},
		{"no Authorization", http.Header{"Content-Type": {"application/json"}}, paykit.ErrMissingSignature},
		{"two Authorization values", http.Header{"Authorization": {good, good}}, paykit.ErrInvalidSignature},
		{"canonical key", http.Header{"Authorization": {good}}, nil},
		{"set through Header.Set", func() http.Header { h := http.Header{}; h.Set("authorization", good); return h }(), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := c.ParseBody(body, tt.header)
			if tt.want != nil {
				assert.ErrorIs(t, err, tt.want)
				assert.Nil(t, n)
				return
			}
			require.NoError(t, err)
			assert.IsType(t, &UserValidation{}, n)
		})
	}
}

func TestAccountIsTheProjectID(t *testing.T) {
	assert.Equal(t, "18404", newTestClient(t).Account())
}

func TestIdempotencyKeyIsBuiltFromParts(t *testing.T) {
	c := newTestClient(t)
	pay := parseSigned(t, c, paymentBody)
	assert.Equal(t, key.Build(key.Parts{Provider: "xsolla", Account: "18404", Kind: "payment", Status: "paid",
		ID: "1001", Discriminator: "txn"}), c.IdempotencyKey(pay))
	sub := parseSigned(t, c, `{"notification_type":"update_subscription","subscription":{"subscription_id":9,"date_next_charge":"2026-01-01"}}`)
	s := sub.Summary()
	assert.Equal(t, key.Build(key.Parts{Provider: "xsolla", Account: "18404", Kind: string(s.Kind), Status: string(s.Status),
		ID: "9", Discriminator: "update_subscription@2026-01-01"}), c.IdempotencyKey(sub))
	other := newTestClient(t, func(cfg *Config) { cfg.ProjectID = 18405 })
	otherPay, err := other.ParseBody([]byte(strings.Replace(paymentBody, "18404", "18405", 1)),
		authHeader(sign(strings.Replace(paymentBody, "18404", "18405", 1), testSecret)))
	require.NoError(t, err)
	assert.NotEqual(t, c.IdempotencyKey(pay), other.IdempotencyKey(otherPay), "the project is part of the key")
}

// countingStore counts the keys the handler fulfils through it.
type countingStore struct {
	mu   sync.Mutex
	keys []string
	next paykit.Store
}

func (s *countingStore) Do(ctx context.Context, key string, f func(context.Context) ([]byte, error)) ([]byte, bool, error) {
	s.mu.Lock()
	s.keys = append(s.keys, key)
	s.mu.Unlock()
	return s.next.Do(ctx, key, f)
}

func TestHandlerStoresEventsOnly(t *testing.T) {
	c := newTestClient(t)
	store := &countingStore{next: paykit.NewMemoryStore(paykit.MemoryStoreOptions{})}
	h := c.HandlerWith(paykit.Hooks{Store: store, Event: func(context.Context, paykit.Notification) error { return nil }},
		HandlerOptions{UserSearch: func(context.Context, *UserSearch) (UserInfo, error) { return UserInfo{ID: "u"}, nil }})
	assert.Equal(t, http.StatusNoContent, post(h, userBody).Code)
	assert.Equal(t, http.StatusOK, post(h, `{"notification_type":"user_search","user":{"public_id":"p"}}`).Code)
	assert.Empty(t, store.keys, "user checks and searches change nothing and are not stored")
	assert.Equal(t, http.StatusNoContent, post(h, paymentBody).Code)
	assert.Equal(t, []string{c.IdempotencyKey(parseSigned(t, c, paymentBody))}, store.keys)
}

func TestHandlerNilEventIsRetriedAndSkipsCheckAmount(t *testing.T) {
	c := newTestClient(t)
	checked := false
	h := c.HandlerWith(paykit.Hooks{}, HandlerOptions{CheckAmount: func(context.Context, paykit.Notification) error {
		checked = true
		return errors.New("not reached")
	}})
	w := post(h, paymentBody)
	assert.Equal(t, http.StatusInternalServerError, w.Code)
	assert.Equal(t, CodeServerError, errorCode(t, w))
	assert.False(t, checked)
}

// TestHandlerStatusOverrideOutsideErrorRangeIsIgnored: an override must
// stay an error status; a 2xx would acknowledge a refused delivery.
func TestHandlerStatusOverrideOutsideErrorRangeIsIgnored(t *testing.T) {
	c := newTestClient(t)
	h := c.HandlerWith(paykit.Hooks{User: func(context.Context, paykit.Notification) error { return paykit.ErrUnknownUser }},
		HandlerOptions{Status: map[string]int{CodeInvalidUser: http.StatusOK, CodeInvalidSignature: 600}})
	assert.Equal(t, http.StatusBadRequest, post(h, userBody).Code)
	assert.Equal(t, http.StatusBadRequest, serve(h, userBody, "Signature "+strings.Repeat("0", 40)).Code)
}

// TestWebhookWithoutSecretSaysWhy: a client built for the API only refuses
// every webhook, and the error says that no secret is configured.
func TestWebhookWithoutSecretSaysWhy(t *testing.T) {
	c := newTestClient(t, func(c *Config) { c.WebhookSecret = "" })
	_, err := c.ParseBody([]byte(userBody), authHeader(sign(userBody, "")))
	assert.ErrorIs(t, err, paykit.ErrInvalidSignature)
	assert.ErrorContains(t, err, "no webhook secret configured")
}
