package sqlstore_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/sqlstore"
	"github.com/paykit-go/paykit/vkpay"
	"github.com/paykit-go/paykit/vkpay/vkpaytest"
)

// TestJournal200ConcurrentDeliveriesThroughAHandler sends 200 deliveries
// at once to a vkpay Handler whose Observer is the Journal — 150 new
// payments, 30 repeats of them and 20 with a signature one digit off — and
// finds exactly 200 records, each with the bytes sent and the reply
// written.
func TestJournal200ConcurrentDeliveriesThroughAHandler(t *testing.T) {
	const appID, secret = 51234, "journal-secret"
	j, db, table := newJournal(t, sqlstore.JournalOptions{})
	store, _, _ := newStore(t, sqlstore.Options{})
	c, err := vkpay.New(vkpay.Config{AppID: appID, Secret: secret})
	require.NoError(t, err)
	h := c.Handler(paykit.Hooks{
		Store:    store,
		Event:    func(context.Context, paykit.Notification) error { return nil },
		Observer: j,
	})
	signer := vkpaytest.Signer{AppID: appID, Secret: secret}
	date := time.Unix(1700000000, 0)
	order := func(id int64) url.Values {
		return signer.OrderStatusChange(vkpaytest.OrderParams{ID: id, UserID: 7, Item: "gold", Price: 10, Date: date}, vkpay.OrderChargeable)
	}
	var bodies []string
	for i := range 150 {
		bodies = append(bodies, order(int64(1000+i)).Encode())
	}
	for i := range 30 {
		bodies = append(bodies, bodies[i*5])
	}
	for i := range 20 {
		p := order(int64(5000 + i))
		sig := p.Get(vkpay.SigParam)
		p.Set(vkpay.SigParam, sig[:len(sig)-1]+map[bool]string{true: "1", false: "0"}[sig[len(sig)-1] == '0'])
		bodies = append(bodies, p.Encode())
	}
	require.Len(t, bodies, 200)

	replies := make([]string, len(bodies))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, body := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r := httptest.NewRequest(http.MethodPost, "/vk/callback", strings.NewReader(body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			replies[i] = w.Body.String()
		}()
	}
	close(start)
	wg.Wait()

	assert.Equal(t, 200, countRows(t, db, table))
	var all []paykit.Delivery
	q := paykit.DeliveryQuery{Provider: paykit.VKPay, Account: "51234", Limit: 64}
	for {
		page, err := j.Deliveries(context.Background(), q)
		require.NoError(t, err)
		all = append(all, page.Deliveries...)
		if page.Next == "" {
			break
		}
		q.After = page.Next
	}
	require.Len(t, all, 200)

	sent := map[string]int{}
	for _, b := range bodies {
		sent[b]++
	}
	recorded := map[string]int{}
	outcomes := map[paykit.Outcome]int{}
	seen := map[string]bool{}
	var replayed int
	for _, d := range all {
		require.False(t, seen[d.ID], "one record per delivery")
		seen[d.ID] = true
		recorded[string(d.Body)]++
		outcomes[d.Outcome]++
		if d.Replayed {
			replayed++
		}
		assert.Equal(t, "/vk/callback", d.Path)
		assert.Equal(t, []string{"application/x-www-form-urlencoded"}, d.Header.Values("Content-Type"))
		assert.NotEmpty(t, d.ReplyBody)
	}
	assert.Equal(t, sent, recorded, "the exact bytes of every delivery")
	assert.Equal(t, map[paykit.Outcome]int{paykit.OutcomeOK: 180, paykit.OutcomeRejected: 20}, outcomes)
	assert.Equal(t, 30, replayed, "every repeat was answered from the Store")

	// Each record's reply is what its delivery was answered.
	answered := map[string]int{}
	for _, r := range replies {
		answered[r]++
	}
	repliedRecorded := map[string]int{}
	for _, d := range all {
		repliedRecorded[string(d.ReplyBody)]++
	}
	assert.Equal(t, answered, repliedRecorded)

	page, err := j.Deliveries(context.Background(), paykit.DeliveryQuery{ProviderID: "1000", Limit: 10})
	require.NoError(t, err)
	require.Len(t, page.Deliveries, 2, "the payment and its repeat, found by VK's order id")
	assert.ElementsMatch(t, []bool{false, true}, []bool{page.Deliveries[0].Replayed, page.Deliveries[1].Replayed})
}
