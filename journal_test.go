package paykit_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
)

func delivery(i int, at time.Time) paykit.Delivery {
	provider := []paykit.Provider{paykit.Paysera, paykit.Xsolla}[i%2]
	outcome := []paykit.Outcome{paykit.OutcomeOK, paykit.OutcomeRejected, paykit.OutcomeFailed}[i%3]
	return paykit.Delivery{ID: fmt.Sprintf("%032d", i), Provider: provider, Account: fmt.Sprint("acct", i%4),
		ReceivedAt: at, Outcome: outcome, Body: []byte(fmt.Sprint("body ", i)),
		Summary: paykit.Summary{ID: fmt.Sprint("txn", i), OrderID: fmt.Sprint("order", i%5)}}
}

func ids(p paykit.DeliveryPage) []string {
	var out []string
	for _, d := range p.Deliveries {
		out = append(out, d.ID)
	}
	return out
}

func TestMemoryJournal_PagesNewestFirst(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0)
	j := paykit.NewMemoryJournal(paykit.MemoryJournalOptions{Now: func() time.Time { return now }})
	for i := range 25 {
		j.Observe(ctx, delivery(i, now.Add(time.Duration(i)*time.Second)))
	}
	var all []string
	q := paykit.DeliveryQuery{Limit: 10}
	for pages := 0; ; pages++ {
		require.Less(t, pages, 4)
		p, err := j.Deliveries(ctx, q)
		require.NoError(t, err)
		all = append(all, ids(p)...)
		if p.Next == "" {
			break
		}
		q.After = p.Next
	}
	require.Len(t, all, 25)
	for i, id := range all {
		assert.Equal(t, fmt.Sprintf("%032d", 24-i), id)
	}
}

func TestMemoryJournal_QueryFilters(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0)
	j := paykit.NewMemoryJournal(paykit.MemoryJournalOptions{Now: func() time.Time { return now.Add(time.Hour) }})
	var all []paykit.Delivery
	for i := range 30 {
		d := delivery(i, now.Add(time.Duration(i)*time.Second))
		all = append(all, d)
		j.Observe(ctx, d)
	}
	queries := map[string]paykit.DeliveryQuery{
		"provider":    {Provider: paykit.Xsolla},
		"account":     {Account: "acct3"},
		"order id":    {OrderID: "order2"},
		"provider id": {ProviderID: "txn7"},
		"outcome":     {Outcome: paykit.OutcomeFailed},
		"time range":  {Since: now.Add(10 * time.Second), Until: now.Add(20 * time.Second)},
		"combined":    {Provider: paykit.Paysera, Outcome: paykit.OutcomeOK, Since: now.Add(5 * time.Second)},
	}
	for name, q := range queries {
		t.Run(name, func(t *testing.T) {
			var want []string
			for i := len(all) - 1; i >= 0; i-- {
				if q.Match(&all[i]) {
					want = append(want, all[i].ID)
				}
			}
			require.NotEmpty(t, want)
			require.Less(t, len(want), len(all), "the filter filters")
			p, err := j.Deliveries(ctx, q)
			require.NoError(t, err)
			assert.Equal(t, want, ids(p))
		})
	}
}

func TestMemoryJournal_OldestOutFirstAtTheCapAndPastRetention(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0)
	clock := now
	j := paykit.NewMemoryJournal(paykit.MemoryJournalOptions{MaxEntries: 5, Retention: time.Hour,
		Now: func() time.Time { return clock }})
	for i := range 8 {
		j.Observe(ctx, delivery(i, now.Add(time.Duration(i)*time.Minute)))
	}
	assert.Equal(t, 5, j.Len())
	_, err := j.Delivery(ctx, fmt.Sprintf("%032d", 2))
	assert.ErrorIs(t, err, paykit.ErrNoDelivery, "the oldest went first")
	got, err := j.Delivery(ctx, fmt.Sprintf("%032d", 3))
	require.NoError(t, err)
	assert.Equal(t, "body 3", string(got.Body))

	clock = now.Add(time.Hour + 5*time.Minute + time.Second) // 0..5 are past retention
	p, err := j.Deliveries(ctx, paykit.DeliveryQuery{})
	require.NoError(t, err)
	assert.Equal(t, []string{fmt.Sprintf("%032d", 7), fmt.Sprintf("%032d", 6)}, ids(p))
	_, err = j.Delivery(ctx, fmt.Sprintf("%032d", 5))
	assert.ErrorIs(t, err, paykit.ErrNoDelivery)
	p, err = j.Deliveries(ctx, paykit.DeliveryQuery{After: fmt.Sprintf("%032d", 4)})
	require.NoError(t, err)
	assert.Empty(t, p.Deliveries, "a cursor past retention ends the query")
}

func TestMemoryJournal_RedactGetsACopyAndRunsBeforeStoring(t *testing.T) {
	ctx := context.Background()
	j := paykit.NewMemoryJournal(paykit.MemoryJournalOptions{Redact: func(d *paykit.Delivery) {
		for i := range d.Body {
			d.Body[i] = '*'
		}
		d.ReplyBody[0] = '#'
	}})
	body, reply := []byte("email=payer@example.com"), []byte("OK")
	j.Observe(ctx, paykit.Delivery{ID: "a", ReceivedAt: time.Now(), Body: body, ReplyBody: reply, Notification: fakeNote{}})
	assert.Equal(t, "email=payer@example.com", string(body), "the handler's bytes are untouched")
	assert.Equal(t, "OK", string(reply), "the store's reply bytes are untouched")
	d, err := j.Delivery(ctx, "a")
	require.NoError(t, err)
	assert.Equal(t, "***********************", string(d.Body))
	assert.Equal(t, "#K", string(d.ReplyBody))
	assert.Nil(t, d.Notification, "journals do not keep the notification")

	d.Body[0] = 'X' // a reader's copy
	again, _ := j.Delivery(ctx, "a")
	assert.Equal(t, byte('*'), again.Body[0])
}

type fakeNote struct{}

func (fakeNote) Summary() paykit.Summary { return paykit.Summary{} }

func TestMemoryJournal_KeepsEachIDOnceAndIgnoresRecordsWithoutOne(t *testing.T) {
	ctx := context.Background()
	j := paykit.NewMemoryJournal(paykit.MemoryJournalOptions{})
	j.Observe(ctx, paykit.Delivery{ID: "a", ReceivedAt: time.Now()})
	j.Observe(ctx, paykit.Delivery{ID: "a", ReceivedAt: time.Now()})
	j.Observe(ctx, paykit.Delivery{ReceivedAt: time.Now()})
	assert.Equal(t, 1, j.Len())
}

func TestMemoryJournal_ConcurrentDeliveries(t *testing.T) {
	ctx := context.Background()
	j := paykit.NewMemoryJournal(paykit.MemoryJournalOptions{})
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() { j.Observe(ctx, delivery(i, time.Now())) })
	}
	for range 4 {
		wg.Go(func() { _, _ = j.Deliveries(ctx, paykit.DeliveryQuery{Limit: 500}) })
	}
	wg.Wait()
	p, err := j.Deliveries(ctx, paykit.DeliveryQuery{Limit: paykit.MaxDeliveryPage})
	require.NoError(t, err)
	assert.Len(t, p.Deliveries, 200)
}

func TestDeliveryQuery_PageSize(t *testing.T) {
	assert.Equal(t, paykit.DefaultDeliveryPage, paykit.DeliveryQuery{}.PageSize())
	assert.Equal(t, 7, paykit.DeliveryQuery{Limit: 7}.PageSize())
	assert.Equal(t, paykit.MaxDeliveryPage, paykit.DeliveryQuery{Limit: 1 << 20}.PageSize())
}

func TestVerification_ErrNamesTheSentinel(t *testing.T) {
	for v, want := range map[paykit.Verification]error{
		paykit.Verified: nil, paykit.NotVerifiedMethod: nil, paykit.NotVerifiedUnavailable: nil,
		paykit.NotVerifiedTooLarge: paykit.ErrBodyTooLarge, paykit.NotVerifiedMissingSignature: paykit.ErrMissingSignature,
		paykit.NotVerifiedInvalidSignature: paykit.ErrInvalidSignature, paykit.NotVerifiedWrongAccount: paykit.ErrWrongAccount,
		paykit.NotVerifiedUnknownType: paykit.ErrUnknownType, paykit.NotVerifiedMalformed: paykit.ErrMalformed,
	} {
		assert.Equal(t, want, v.Err(), v)
	}
}

func TestObservers_TellsEachAndSkipsNil(t *testing.T) {
	assert.Nil(t, paykit.Observers(), "nothing to observe")
	assert.Nil(t, paykit.Observers(nil, nil))
	var got []string
	a := paykit.ObserverFunc(func(_ context.Context, d paykit.Delivery) { got = append(got, "a"+d.ID) })
	b := paykit.ObserverFunc(func(_ context.Context, d paykit.Delivery) { got = append(got, "b"+d.ID) })
	paykit.Observers(a, nil, b).Observe(context.Background(), paykit.Delivery{ID: "1"})
	paykit.Observers(nil, a).Observe(context.Background(), paykit.Delivery{ID: "2"})
	assert.Equal(t, []string{"a1", "b1", "a2"}, got)
}
