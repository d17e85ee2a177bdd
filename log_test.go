package paykit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/vkpay"
)

// The canary secrets of the log tests: none may appear in any log line.
const (
	canarySecret   = "canary-secret-7d1f0c"
	canaryPrevious = "canary-previous-51ab"
)

func logLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), line)
		out = append(out, m)
	}
	buf.Reset()
	return out
}

func vkBody(secret, orderID string) string {
	p := url.Values{"app_id": {"7"}, "date": {"1656358147"}, "item": {"gold"}, "item_id": {"gold"},
		"item_price": {"24"}, "item_title": {"Gold"}, "notification_type": {"order_status_change"},
		"order_id": {orderID}, "receiver_id": {"1"}, "status": {"chargeable"}, "user_id": {"1"}}
	p.Set("sig", vkpay.Sign(p, secret))
	return p.Encode()
}

func TestLogDeliveries_OneRecordPerDeliveryLevelByOutcomeNoSecret(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := vkpay.New(vkpay.Config{AppID: 7, Secret: canarySecret, PreviousSecrets: []string{canaryPrevious}})
	require.NoError(t, err)
	h := c.Handler(paykit.Hooks{
		Event: func(_ context.Context, n paykit.Notification) error {
			if n.Summary().ID == "13" {
				// A hook whose error wraps a secret (an echoing server).
				return &paykit.APIError{Provider: paykit.VKPay, StatusCode: 400, Message: "echo " + canarySecret}
			}
			return nil
		},
		Observer: paykit.LogDeliveries(logger),
	})
	serve := func(body string) {
		r := httptest.NewRequest(http.MethodPost, "/vk", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		h.ServeHTTP(httptest.NewRecorder(), r)
	}

	serve(vkBody(canarySecret, "12"))
	serve(vkBody(canarySecret, "12"))
	serve(vkBody(canarySecret+"x", "12"))
	serve(vkBody(canaryPrevious, "13"))
	lines := logLines(t, &buf)
	require.Len(t, lines, 4, "one record per delivery")

	want := []struct {
		level, outcome, verification string
		replayed                     bool
	}{
		{"INFO", "ok", "verified", false},
		{"INFO", "ok", "verified", true},
		{"WARN", "rejected", "invalid_signature", false},
		{"ERROR", "failed", "verified", false},
	}
	for i, w := range want {
		l := lines[i]
		assert.Equal(t, "paykit delivery", l["msg"])
		assert.Equal(t, w.level, l["level"], i)
		assert.Equal(t, w.outcome, l["outcome"], i)
		assert.Equal(t, w.verification, l["verification"], i)
		assert.Equal(t, w.replayed, l["replayed"], i)
		assert.Equal(t, "vkpay", l["provider"])
		assert.Equal(t, "/vk", l["path"])
		for _, k := range []string{"delivery_id", "account", "method", "remote_addr", "type", "kind", "status",
			"provider_id", "order_id", "amount", "currency", "test", "reply_status", "key", "duration"} {
			assert.Contains(t, l, k, "stable attribute %s", k)
		}
	}
	assert.Equal(t, "12", lines[0]["provider_id"])
	assert.EqualValues(t, 24, lines[0]["amount"])
	assert.Contains(t, lines[3], "error")

	// Run the same with every level and look for the canaries anywhere.
	serve(vkBody(canarySecret, "13"))
	all := buf.String()
	for _, canary := range []string{canarySecret, canaryPrevious} {
		assert.NotContains(t, all, canary)
	}
	for _, l := range lines {
		raw, _ := json.Marshal(l)
		for _, canary := range []string{canarySecret, canaryPrevious} {
			assert.NotContains(t, string(raw), canary)
		}
		assert.NotContains(t, l, "body", "no body in a log record")
	}
}

func TestLogDeliveries_SkipsDisabledLevels(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn}))
	obs := paykit.LogDeliveries(logger)
	obs.Observe(context.Background(), paykit.Delivery{ID: "a", Outcome: paykit.OutcomeOK})
	assert.Empty(t, buf.String())
	obs.Observe(context.Background(), paykit.Delivery{ID: "b", Outcome: paykit.OutcomeRetry})
	assert.Contains(t, buf.String(), `"level":"WARN"`)
	assert.NotNil(t, paykit.LogDeliveries(nil), "nil is slog.Default()")
}
