package vkpay_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/paykit-go/paykit/vkpay/vkpaytest"
)

// BenchmarkVerifyLaunch is VerifyLaunch of a typical launch query (ten vk_*
// parameters); BenchmarkLaunchBareHMAC, its baseline, is one HMAC-SHA256
// of the same canonical string.
func BenchmarkVerifyLaunch(b *testing.B) {
	q := launchSigner.LaunchQuery(vkpaytest.Launch{UserID: 494075, Platform: "mobile_android", TS: time.Unix(1700000000, 0),
		IsAppUser: true, Ref: "catalog_recommendation", AccessTokenSettings: "friends,photos"})
	c := newClient(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.VerifyLaunch(q); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLaunchBareHMAC(b *testing.B) {
	canonical := []byte("vk_access_token_settings=friends%2Cphotos&vk_app_id=12345678&vk_are_notifications_enabled=0" +
		"&vk_is_app_user=1&vk_is_favorite=0&vk_language=ru&vk_platform=mobile_android&vk_ref=catalog_recommendation" +
		"&vk_ts=1700000000&vk_user_id=494075")
	b.ReportAllocs()
	for b.Loop() {
		m := hmac.New(sha256.New, []byte(testSecret))
		m.Write(canonical)
		_ = m.Sum(nil)
	}
}
