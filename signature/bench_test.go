package signature_test

import (
	"crypto/md5"
	"net/url"
	"testing"

	"github.com/paykit-go/paykit/signature"
)

// benchParams is a VK order_status_change: the most common signed form.
var benchParams = url.Values{
	"app_id": {"12345678"}, "date": {"1656358147"}, "item": {"sale_item_1"}, "item_discount": {"3"},
	"item_id": {"sale_item_1_internal_id"}, "item_photo_url": {"http://my-app.example.com/sale-item-images/sale-item-1.png"},
	"item_price": {"24"}, "item_title": {"Чудо-здание"}, "notification_type": {"order_status_change_test"},
	"order_id": {"2044861"}, "receiver_id": {"1"}, "status": {"chargeable"}, "user_id": {"1"}, "version": {"5.132"},
	"sig": {"0123456789abcdef0123456789abcdef"},
}

// BenchmarkBareMD5 is the floor: MD5 of the already-built canonical string.
func BenchmarkBareMD5(b *testing.B) {
	canonical := []byte("app_id=12345678date=1656358147item=sale_item_1item_discount=3item_id=sale_item_1_internal_id" +
		"item_photo_url=http://my-app.example.com/sale-item-images/sale-item-1.pngitem_price=24item_title=Чудо-здание" +
		"notification_type=order_status_change_testorder_id=2044861receiver_id=1status=chargeableuser_id=1version=5.132s3cr3t")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = md5.Sum(canonical)
	}
}

// BenchmarkSortedMD5 sorts, concatenates, hashes and hex-encodes the same
// parameters: compare with BenchmarkBareMD5 for the overhead.
func BenchmarkSortedMD5(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = signature.SortedMD5Except(benchParams, "s3cr3t", "sig")
	}
}

func BenchmarkVerifySortedMD5TwoSecrets(b *testing.B) {
	sig := signature.SortedMD5Except(benchParams, "s3cr3t", "sig")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if signature.VerifySortedMD5(benchParams, "sig", sig, []string{"s3cr3t", "old"}) != nil {
			b.Fatal("does not verify")
		}
	}
}
