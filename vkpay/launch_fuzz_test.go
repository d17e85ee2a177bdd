package vkpay_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/paykit-go/paykit/vkpay"
	"github.com/paykit-go/paykit/vkpay/vkpaytest"
)

// FuzzVerifyLaunch feeds arbitrary launch queries, and queries re-signed
// under the client's secret, to VerifyLaunch: it returns a launch or an
// error matching a sentinel, never panics, and accepts only the configured
// app and a positive user.
func FuzzVerifyLaunch(f *testing.F) {
	f.Add(launchSigner.LaunchQuery(vkpaytest.Launch{UserID: 42, TS: time.Unix(1700000000, 0), Ref: "a b"}).Encode(), false)
	f.Add("vk_app_id=12345678&vk_user_id=1&sign=AAAA", true)
	f.Add("vk_app_id=12345678&vk_user_id=x&vk_ts=-1&vk_is_favorite=2", true)
	f.Add("vk_user_id=1&vk_user_id=2&sign=a&sign=b", false)
	f.Add("sign=", true)
	c := newClient(f)
	f.Fuzz(func(t *testing.T, query string, resign bool) {
		q, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		if resign {
			q.Set("sign", vkpay.SignLaunch(q, testSecret))
		}
		l, err := c.VerifyLaunch(q)
		if err != nil {
			if l != nil {
				t.Fatalf("launch %+v beside error %v", l, err)
			}
			checkSentinel(t, err)
			return
		}
		if l.AppID != testAppID || l.UserID <= 0 || l.Sign != q.Get("sign") {
			t.Fatalf("accepted %+v", l)
		}
	})
}
