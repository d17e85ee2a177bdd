package signature_test

import (
	"fmt"
	"net/url"

	"github.com/paykit-go/paykit/signature"
)

// The signature example of Playvision's documentation.
func ExampleSortedMD5() {
	params := url.Values{"user_id": {"131"}, "project_id": {"1"}, "level": {"16"}, "time": {"1409581492"}}
	fmt.Println(signature.SortedMD5(params, "api_secret"))
	// Output: 81555196e23f9950c0d2780ce2274fc7
}

// Verify against the current secret and the one being rotated out.
func ExampleVerifySortedMD5() {
	received := url.Values{"level": {"16"}, "project_id": {"1"}, "time": {"1409581492"}, "user_id": {"131"},
		"sig": {"81555196E23F9950C0D2780CE2274FC7"}}
	err := signature.VerifySortedMD5(received, "sig", received.Get("sig"), []string{"new_secret", "api_secret"})
	fmt.Println("verified:", err == nil)

	received.Set("level", "17") // tampered
	err = signature.VerifySortedMD5(received, "sig", received.Get("sig"), []string{"new_secret", "api_secret"})
	fmt.Println(err)
	// Output:
	// verified: true
	// paykit: invalid signature
}

func ExampleBodySHA1() {
	body := []byte(`{"notification_type":"user_validation"}`)
	fmt.Println(len(signature.BodySHA1(body, "secret")))
	// Output: 40
}
