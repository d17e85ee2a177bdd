package redact_test

import (
	"fmt"

	"github.com/paykit-go/paykit/internal/redact"
)

// A proxy that echoes the request puts the credentials in its error body.
func ExampleBytes() {
	basic := redact.BasicCredential("18404", "s3cr3t-key")
	body := []byte(`{"error":"bad gateway","echo":"Authorization: Basic ` + basic + `","key":"S3CR3T-KEY"}`)
	fmt.Println(string(redact.Bytes(body, "s3cr3t-key", basic)))
	// Output: {"error":"bad gateway","echo":"Authorization: Basic [redacted]","key":"[redacted]"}
}
