package paykit

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"sync"
	"time"
)

// Journal keeps deliveries, so that a merchant can answer "why is order
// 1042 still unpaid?" from their own process: every callback of every
// provider, its exact bytes and the reply, and run it again. It is an
// [Observer] (set it as [Hooks].Observer, alone or with others through
// [Observers]); Observe records a delivery.
//
// [MemoryJournal] keeps them in memory; package sqlstore keeps them in
// PostgreSQL beside its Store. A journal keeps bodies — payers' personal
// data — for a bounded time only (see [DefaultJournalRetention]).
type Journal interface {
	Observer
	// Delivery returns the delivery with this ID, or an error matching
	// [ErrNoDelivery].
	Delivery(ctx context.Context, id string) (Delivery, error)
	// Deliveries returns the deliveries matching q, newest first, one page
	// at a time.
	Deliveries(ctx context.Context, q DeliveryQuery) (DeliveryPage, error)
}

// ErrNoDelivery: a journal holds no delivery with that ID (never
// recorded, or past its retention).
var ErrNoDelivery = errors.New("paykit: no such delivery")

// DeliveryQuery selects deliveries from a [Journal]. Zero fields match
// everything.
type DeliveryQuery struct {
	Provider Provider
	Account  string
	// OrderID is the merchant's order reference ([Summary].OrderID) and
	// ProviderID the provider's id ([Summary].ID).
	OrderID    string
	ProviderID string
	Outcome    Outcome
	// Since and Until bound ReceivedAt: Since <= ReceivedAt < Until.
	Since, Until time.Time
	// Limit is the page size: 0 means 50; at most [MaxDeliveryPage].
	Limit int
	// After is the Next of the previous page; "" starts with the newest.
	After string
}

// Paging limits of [DeliveryQuery].
const (
	DefaultDeliveryPage = 50
	MaxDeliveryPage     = 500
)

// PageSize returns q.Limit within its bounds.
func (q DeliveryQuery) PageSize() int {
	switch {
	case q.Limit <= 0:
		return DefaultDeliveryPage
	case q.Limit > MaxDeliveryPage:
		return MaxDeliveryPage
	}
	return q.Limit
}

// Match reports whether d matches every set field of q but After and
// Limit (a journal applies those).
func (q DeliveryQuery) Match(d *Delivery) bool {
	return (q.Provider == "" || d.Provider == q.Provider) &&
		(q.Account == "" || d.Account == q.Account) &&
		(q.OrderID == "" || d.Summary.OrderID == q.OrderID) &&
		(q.ProviderID == "" || d.Summary.ID == q.ProviderID) &&
		(q.Outcome == "" || d.Outcome == q.Outcome) &&
		(q.Since.IsZero() || !d.ReceivedAt.Before(q.Since)) &&
		(q.Until.IsZero() || d.ReceivedAt.Before(q.Until))
}

// DeliveryPage is one page of a [Journal] query.
type DeliveryPage struct {
	// Deliveries are newest first.
	Deliveries []Delivery
	// Next continues the query (set it as After); "" on the last page.
	Next string
}

// Defaults of [MemoryJournal].
const (
	// DefaultJournalRetention is how long a journal keeps a delivery,
	// bodies with payers' personal data included: long enough to look into
	// a complaint and run a lost delivery again after the providers gave
	// up retrying, short enough not to become an archive of personal data.
	DefaultJournalRetention = 30 * 24 * time.Hour
	// DefaultJournalEntries caps the deliveries a MemoryJournal keeps.
	DefaultJournalEntries = 10_000
)

// MemoryJournalOptions configures a [MemoryJournal]. The zero value gives
// the defaults.
type MemoryJournalOptions struct {
	// Retention is how long a delivery is kept; 0 means
	// [DefaultJournalRetention].
	Retention time.Duration
	// MaxEntries caps the deliveries kept, oldest out first; 0 means
	// [DefaultJournalEntries].
	MaxEntries int
	// Redact, when set, is applied to every delivery before it is kept
	// (for example to blank payers' names and emails in Body); it gets a
	// copy it may change freely.
	Redact func(d *Delivery)
	// Now is the clock; nil means time.Now. Tests set it.
	Now func() time.Time
}

// MemoryJournal is a [Journal] in memory: bounded in number and time,
// oldest out first. It is safe for concurrent use.
type MemoryJournal struct {
	opts MemoryJournalOptions

	mu   sync.Mutex
	ring []kept // a ring of the kept deliveries, grown up to MaxEntries
	head int    // index in ring of the oldest
	n    int    // deliveries kept
}

// encodeBuf holds scratch buffers for encoding a delivery before it is
// copied into a slice of exactly its size.
var encodeBuf = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// kept is one delivery in a MemoryJournal: encoded (see journal_codec.go),
// with what retention and the index need beside it.
type kept struct {
	id  string
	at  time.Time
	rec []byte
}

// NewMemoryJournal returns an empty journal.
func NewMemoryJournal(opts MemoryJournalOptions) *MemoryJournal {
	if opts.Retention <= 0 {
		opts.Retention = DefaultJournalRetention
	}
	if opts.MaxEntries <= 0 {
		opts.MaxEntries = DefaultJournalEntries
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &MemoryJournal{opts: opts}
}

// Observe records d (without its Notification). A delivery without an ID
// is not recorded: handlers always set one.
func (j *MemoryJournal) Observe(_ context.Context, d Delivery) {
	if d.ID == "" {
		return
	}
	d.Notification = nil
	if j.opts.Redact != nil {
		d = cloneDelivery(d)
		j.opts.Redact(&d)
	}
	buf := encodeBuf.Get().(*[]byte)
	*buf = encodeDelivery((*buf)[:0], &d)
	rec := bytes.Clone(*buf) // exactly its size
	encodeBuf.Put(buf)
	now := j.opts.Now()
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.n > 0 && j.at(j.n-1).id == d.ID {
		return // the same delivery told twice (Observers listing it twice)
	}
	j.pruneLocked(now)
	if j.n >= j.opts.MaxEntries {
		j.dropLocked(j.n - j.opts.MaxEntries + 1)
	}
	if j.n == len(j.ring) {
		j.growLocked()
	}
	j.ring[(j.head+j.n)%len(j.ring)] = kept{id: d.ID, at: d.ReceivedAt, rec: rec}
	j.n++
}

// at returns the i-th oldest delivery kept.
func (j *MemoryJournal) at(i int) *kept { return &j.ring[(j.head+i)%len(j.ring)] }

// growLocked doubles the ring, up to MaxEntries, keeping the order.
func (j *MemoryJournal) growLocked() {
	size := min(max(2*len(j.ring), 64), j.opts.MaxEntries)
	ring := make([]kept, size)
	for i := range j.n {
		ring[i] = *j.at(i)
	}
	j.ring, j.head = ring, 0
}

// pruneLocked drops the deliveries past retention (by recording order,
// which is receipt order up to the handlers' run times).
func (j *MemoryJournal) pruneLocked(now time.Time) {
	cutoff := now.Add(-j.opts.Retention)
	n := 0
	for n < j.n && j.at(n).at.Before(cutoff) {
		n++
	}
	j.dropLocked(n)
}

// dropLocked drops the n oldest deliveries.
func (j *MemoryJournal) dropLocked(n int) {
	for range n {
		k := j.at(0)
		*k = kept{} // let the bytes go
		j.head = (j.head + 1) % len(j.ring)
		j.n--
	}
}

// Delivery returns the delivery with this ID.
func (j *MemoryJournal) Delivery(_ context.Context, id string) (Delivery, error) {
	now := j.opts.Now()
	j.mu.Lock()
	defer j.mu.Unlock()
	j.pruneLocked(now)
	i := j.find(id)
	if i < 0 {
		return Delivery{}, ErrNoDelivery
	}
	return decodeDelivery(j.at(i).rec)
}

// find returns the position of the delivery with this ID, newest first
// (lookups are rare: a scan keeps recording free of an index).
func (j *MemoryJournal) find(id string) int {
	for i := j.n - 1; i >= 0; i-- {
		if j.at(i).id == id {
			return i
		}
	}
	return -1
}

// Deliveries returns the deliveries matching q, newest first.
func (j *MemoryJournal) Deliveries(_ context.Context, q DeliveryQuery) (DeliveryPage, error) {
	size := q.PageSize()
	now := j.opts.Now()
	j.mu.Lock()
	defer j.mu.Unlock()
	j.pruneLocked(now)
	start := j.n - 1
	if q.After != "" {
		i := j.find(q.After)
		if i < 0 {
			// The cursor's delivery is gone (retention): nothing older is
			// left either.
			return DeliveryPage{}, nil
		}
		start = i - 1
	}
	var page DeliveryPage
	for i := start; i >= 0; i-- {
		d, err := decodeDelivery(j.at(i).rec)
		if err != nil {
			return DeliveryPage{}, err
		}
		if !q.Match(&d) {
			continue
		}
		if len(page.Deliveries) == size {
			page.Next = page.Deliveries[size-1].ID
			break
		}
		page.Deliveries = append(page.Deliveries, d)
	}
	return page, nil
}

// Len returns the number of deliveries kept.
func (j *MemoryJournal) Len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.n
}

// cloneDelivery copies d's slices and header, so that the copy can be
// changed without touching bytes a handler or store still holds.
func cloneDelivery(d Delivery) Delivery {
	d.Body = bytes.Clone(d.Body)
	d.ReplyBody = bytes.Clone(d.ReplyBody)
	d.Header = http.Header(d.Header).Clone()
	return d
}
