package paykit

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJournalCodecRoundTripsEveryField(t *testing.T) {
	d := Delivery{ID: "id", RunOf: "orig", Reconciled: true, Provider: Xsolla, Account: "18404",
		ReceivedAt: time.Unix(1_700_000_000, 123), Duration: 1500 * time.Microsecond, RemoteAddr: "10.0.0.1:5",
		Method: "POST", Path: "/x", Query: "a=1", Header: http.Header{"Authorization": {"Signature ab"}, "X-Two": {"1", "2"}},
		Body: []byte(`{"a":1}`), Verification: NotVerifiedMalformed, Type: "payment",
		Summary: Summary{Provider: Xsolla, Type: "payment", Kind: KindPayment, Status: StatusPaid, ID: "1001",
			OrderID: "o-1", UserID: "u1", Amount: Money{Amount: 499, Currency: "USD"}, Test: true},
		Outcome: OutcomeFailed, Error: "boom", ReplyStatus: 500, ReplyContentType: "application/json",
		ReplyBody: []byte(`{}`), Key: "k", Replayed: true}
	got, err := decodeDelivery(encodeDelivery(nil, &d))
	require.NoError(t, err)
	d.ReceivedAt = d.ReceivedAt.Local()
	got.ReceivedAt = got.ReceivedAt.Local()
	assert.Equal(t, d, got)

	empty, err := decodeDelivery(encodeDelivery(nil, &Delivery{ID: "e", Body: []byte{}}))
	require.NoError(t, err)
	assert.NotNil(t, empty.Body, "an empty body stays empty, not absent")
	assert.Nil(t, empty.ReplyBody)
	assert.Nil(t, empty.Header)
}

func FuzzDecodeDelivery(f *testing.F) {
	f.Add(encodeDelivery(nil, &Delivery{ID: "a", Header: http.Header{"K": {"v"}}, Body: []byte("b")}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := decodeDelivery(b) // never panics
		if err == nil {
			again, err := decodeDelivery(encodeDelivery(nil, &d))
			require.NoError(t, err)
			assert.Equal(t, d.ID, again.ID)
		}
	})
}
