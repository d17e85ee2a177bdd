package merchant_test

import (
	"context"
	"crypto"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/vkpay/merchant"
)

func TestAccountNamesTheMerchant(t *testing.T) {
	if got := newClient(t).Account(); got != "merchant:617001" {
		t.Fatalf("Account() = %q", got)
	}
}

func TestParseBodyVerifiesTheRawFormAndIgnoresHeaders(t *testing.T) {
	c := newClient(t)
	body := notify(t, paidData("txn-1", "paid"), crypto.SHA1).Encode()
	n, err := c.ParseBody([]byte(body), http.Header{"Signature": {"forged"}})
	if err != nil || n.Body.TransactionID != "txn-1" {
		t.Fatalf("n %+v err %v", n, err)
	}
	if _, err := c.ParseBody([]byte(body+"&data=x"), nil); !errors.Is(err, paykit.ErrMalformed) {
		t.Fatalf("duplicate data key: %v", err)
	}
	if _, err := c.ParseBody([]byte(body+"&pad="+strings.Repeat("x", 64<<10)), nil); !errors.Is(err, paykit.ErrBodyTooLarge) {
		t.Fatalf("oversized body: %v", err)
	}
}

func TestIdempotencyKeySeparatesStatusesAndMatchesRepeats(t *testing.T) {
	c := newClient(t)
	parse := func(status string) paykit.Notification {
		n, err := c.ParseValues(notify(t, paidData("txn-9", status), crypto.SHA1))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	paid, again := c.IdempotencyKey(parse("paid")), c.IdempotencyKey(parse("paid"))
	if paid == "" || paid != again || !strings.Contains(paid, c.Account()) {
		t.Fatalf("paid %q again %q", paid, again)
	}
	// new and wait are both pending in the Summary, but two events.
	if n, w := c.IdempotencyKey(parse("new")), c.IdempotencyKey(parse("wait")); n == w || n == paid {
		t.Fatalf("new %q wait %q", n, w)
	}
}

func TestHandlerWithSharedOptions(t *testing.T) {
	var left time.Duration
	var logged error
	h := newClient(t).HandlerWith(paykit.Hooks{Event: func(ctx context.Context, _ paykit.Notification) error {
		d, _ := ctx.Deadline()
		left = time.Until(d)
		return nil
	}}, merchant.HandlerOptions{HandlerOptions: paykit.HandlerOptions{HookTimeout: time.Second,
		ErrorLog: func(_ *http.Request, err error) { logged = err }}})
	if w := post(h, notify(t, paidData("txn-2", "paid"), crypto.SHA1)); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"data"`) {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if left <= 0 || left > time.Second {
		t.Fatalf("HookTimeout 1s gave a deadline in %v", left)
	}
	bad := notify(t, paidData("txn-3", "paid"), crypto.SHA1)
	bad.Set("signature", "AAAA")
	post(h, bad)
	if !errors.Is(logged, paykit.ErrInvalidSignature) {
		t.Fatalf("ErrorLog saw %v", logged)
	}
}
