package playvision_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/playvision"
	"github.com/paykit-go/paykit/playvision/playvisiontest"
)

// otherHex returns a hex digit different from c.
func otherHex(c byte) byte {
	if c == '0' {
		return '1'
	}
	return '0'
}

// sigNearMisses returns signatures one small step from sig, each of which
// a broken comparison (first byte only, all but the last, prefix match,
// length ignored) would accept.
func sigNearMisses(sig string) map[string]string {
	mid := len(sig) / 2
	return map[string]string{
		"first digit differs":  string(otherHex(sig[0])) + sig[1:],
		"last digit differs":   sig[:len(sig)-1] + string(otherHex(sig[len(sig)-1])),
		"middle digit differs": sig[:mid] + string(otherHex(sig[mid])) + sig[mid+1:],
		"truncated by one":     sig[:len(sig)-1],
		"truncated by a byte":  sig[:len(sig)-2],
		"extended by one":      sig + "0",
		"extended by a byte":   sig + "00",
		"same length, not hex": strings.Repeat("g", len(sig)),
	}
}

func TestParseCallback_RefusesNearMissSignatures(t *testing.T) {
	c := newClient(t)
	for name, p := range map[string]url.Values{
		"get_item":            playvisiontest.GetItem{AppID: testAppID, UserID: 131, Item: "gold_pack_100"}.Params(),
		"order_status_change": playvisiontest.OrderStatusChange{UserID: 131, TransactionID: 77, Sum: 5, ItemID: "gold_100"}.Params(),
	} {
		good := signer.Form(p)
		sig := good.Get("sig")
		_, err := c.ParseValues(good)
		require.NoError(t, err, name)
		for miss, bad := range sigNearMisses(sig) {
			t.Run(name+"/"+miss, func(t *testing.T) {
				q := url.Values{}
				for k, v := range good {
					q[k] = v
				}
				q.Set("sig", bad)
				n, err := c.ParseCallback(postForm(q.Encode()))
				assert.Nil(t, n)
				assert.ErrorIs(t, err, paykit.ErrInvalidSignature)
				assert.NotContains(t, err.Error(), sig, "the expected signature never appears in an error")
			})
		}
		t.Run(name+"/upper-case hex is the same signature (documented)", func(t *testing.T) {
			q := url.Values{}
			for k, v := range good {
				q[k] = v
			}
			q.Set("sig", strings.ToUpper(sig))
			_, err := c.ParseCallback(postForm(q.Encode()))
			assert.NoError(t, err)
		})
	}
}

func TestVerifyLaunch_RefusesNearMissAuthKeys(t *testing.T) {
	c := newClient(t)
	good := signer.LaunchQuery(playvisiontest.Launch{AppID: testAppID, ViewerID: 131, Token: "t"})
	key := good.Get("auth_key")
	_, err := c.VerifyLaunch(good)
	require.NoError(t, err)
	misses := sigNearMisses(key)
	misses["signed for another viewer"] = signer.AuthKey(testAppID, 1310)
	misses["signed with a secret one byte off"] = playvisiontest.Signer{Secret: testSecret + "x"}.AuthKey(testAppID, 131)
	for miss, bad := range misses {
		t.Run(miss, func(t *testing.T) {
			q := url.Values{}
			for k, v := range good {
				q[k] = v
			}
			q.Set("auth_key", bad)
			l, err := c.VerifyLaunch(q)
			assert.Nil(t, l)
			assert.ErrorIs(t, err, paykit.ErrInvalidSignature)
			assert.NotContains(t, err.Error(), key)
		})
	}
	t.Run("viewer one digit off with the original key", func(t *testing.T) {
		q := url.Values{}
		for k, v := range good {
			q[k] = v
		}
		q.Set("viewer_id", "132")
		_, err := c.VerifyLaunch(q)
		assert.ErrorIs(t, err, paykit.ErrInvalidSignature)
	})
	t.Run("upper-case auth_key is the same key, as for sig", func(t *testing.T) {
		q := url.Values{}
		for k, v := range good {
			q[k] = v
		}
		q.Set("auth_key", strings.ToUpper(key))
		_, err := c.VerifyLaunch(q)
		assert.NoError(t, err)
	})
}

// TestParseValues_RefusesNearMissSignatures is the near-miss test of the
// parsed-values entry point, which verifies on its own path.
func TestParseValues_RefusesNearMissSignatures(t *testing.T) {
	c := newClient(t)
	good := signer.Form(playvisiontest.OrderStatusChange{UserID: 131, TransactionID: 77, Sum: 5, ItemID: "gold_100"}.Params())
	sig := good.Get("sig")
	n, err := c.ParseValues(good)
	require.NoError(t, err)
	require.NotNil(t, n)
	assert.Equal(t, int64(77), n.(*playvision.OrderStatusChange).TransactionID)

	with := func(key, value string) url.Values {
		q := url.Values{}
		for k, v := range good {
			q[k] = v
		}
		q.Set(key, value)
		return q
	}
	misses := map[string]url.Values{
		"sum one more, original sig":          with("sum", "6"),
		"signed with a secret one byte off":   with("sig", playvisiontest.Signer{Secret: testSecret + "x"}.Sign(good)),
		"extra unsigned parameter":            with("bonus", "1"),
		"transaction one digit off, same sig": with("transaction_id", "78"),
	}
	for name, bad := range sigNearMisses(sig) {
		misses[name] = with("sig", bad)
	}
	for name, q := range misses {
		t.Run(name, func(t *testing.T) {
			n, err := c.ParseValues(q)
			assert.Nil(t, n)
			assert.ErrorIs(t, err, paykit.ErrInvalidSignature)
			assert.NotContains(t, err.Error(), sig)
		})
	}
}
