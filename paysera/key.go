package paysera

import (
	"context"
	"crypto"
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/signature"
)

// ProductionCertificatePEM is Paysera's callback-signing certificate as
// served at [ProductionPublicKeyURL]: self-signed, RSA-1024, subject
// "O=Paysera LT, L=Vilnius", valid 2025-02-05 to 2027-02-05, SHA-256
// fingerprint AA:EB:A5:7B:AF:8F:77:9D:BE:06:FB:94:17:67:02:36:F4:60:0B:E2:BC:59:D8:27:AE:6E:23:83:DA:12:82:8C.
// Its key is the one Paysera has used since 2009. Only the key matters:
// like Paysera's own library, the client does not check the dates.
const ProductionCertificatePEM = `-----BEGIN CERTIFICATE-----
MIICPjCCAacCFCMd/AKCGrBmBZhasIEkapgL3ah5MA0GCSqGSIb3DQEBCwUAMF4x
CzAJBgNVBAYTAkxUMRMwEQYDVQQIDApTb21lLVN0YXRlMRAwDgYDVQQHDAdWaWxu
aXVzMRMwEQYDVQQKDApQYXlzZXJhIExUMRMwEQYDVQQLDApQYXlzZXJhIExUMB4X
DTI1MDIwNTE0MDcyNloXDTI3MDIwNTE0MDcyNlowXjELMAkGA1UEBhMCTFQxEzAR
BgNVBAgMClNvbWUtU3RhdGUxEDAOBgNVBAcMB1ZpbG5pdXMxEzARBgNVBAoMClBh
eXNlcmEgTFQxEzARBgNVBAsMClBheXNlcmEgTFQwgZ8wDQYJKoZIhvcNAQEBBQAD
gY0AMIGJAoGBAN5PbdX+Q21/+Gs1p79mwt9Fl3wT6izodn0JuC8H5frn2QEMGrm+
MwMJWRjqyJyfV9wV+6i0RxuEpIoOsMBD4OYIyb3oLsDiCoILk6qYg1q7FgN1uJ7t
X0YladtFcOz/ky7vbZ/lO45QbceE3+9ODy4LEisYhi/2J2G9NsPKJ5ULAgMBAAEw
DQYJKoZIhvcNAQELBQADgYEALNB62C0eTuPAgrSgv/mZYKMZvQ+T97qUDZ2l/PG+
Oby2Ij1Uhut8w7BFnv7tcDQ+QLksvpcoJ6+Hge0iROVDLioLhUMDC/mz1TtC9kmP
d+n4PzdcllupdknJi5BbEucZcHpvHd2xJieWX+KzcZ1TorteF7xd2/Keo86ClZb0
M5s=
-----END CERTIFICATE-----
`

// maxKeyBytes caps a downloaded key file.
const maxKeyBytes = 64 << 10

// keyring holds the keys that verify ss2/ss3: the pinned or embedded key
// and, when downloading is enabled, the last downloaded one. Verification
// reads an immutable snapshot without locking; a download happens only
// after a failed verification, at most once per interval, and concurrent
// failures share it.
type keyring struct {
	keys     atomic.Pointer[[]*rsa.PublicKey]
	static   []*rsa.PublicKey
	fetch    bool
	url      string
	client   *http.Client
	interval time.Duration
	now      func() time.Time

	mu        sync.Mutex
	lastFetch time.Time
	fetched   *rsa.PublicKey
}

func newKeyring(static []*rsa.PublicKey, fetch bool, keyURL string, client *http.Client, interval time.Duration) *keyring {
	k := &keyring{static: static, fetch: fetch, url: keyURL, client: client, interval: interval, now: time.Now}
	snapshot := append([]*rsa.PublicKey(nil), static...)
	k.keys.Store(&snapshot)
	return k
}

// errKeyUnavailable: no key to verify with, and downloading one failed.
var errKeyUnavailable = errors.New("paysera: public key unavailable")

// verify checks an RSA PKCS #1 v1.5 signature over data. When it fails and
// downloading is enabled, the key is refreshed (rate-limited) and the
// signature checked once more. A missing key is a temporary failure, so
// that the handler asks Paysera to retry rather than refusing for good.
func (k *keyring) verify(ctx context.Context, hash crypto.Hash, data, sig []byte) error {
	keys := *k.keys.Load()
	if verifyAny(keys, hash, data, sig) {
		return nil
	}
	if !k.fetch {
		return paykit.ErrInvalidSignature
	}
	changed, err := k.refresh(ctx)
	if err != nil && len(keys) == 0 {
		return paykit.Temporary(fmt.Errorf("%w: %w", paykit.ErrInvalidSignature, errKeyUnavailable))
	}
	if !changed {
		if len(*k.keys.Load()) == 0 {
			return paykit.Temporary(fmt.Errorf("%w: %w", paykit.ErrInvalidSignature, errKeyUnavailable))
		}
		return paykit.ErrInvalidSignature
	}
	if verifyAny(*k.keys.Load(), hash, data, sig) {
		return nil
	}
	return paykit.ErrInvalidSignature
}

// verifyAny reports whether any key verifies sig. Every key is tried (the
// keys are public; this only keeps the timing flat).
func verifyAny(keys []*rsa.PublicKey, hash crypto.Hash, data, sig []byte) bool {
	ok := false
	for _, key := range keys {
		if signature.VerifyRSA(key, hash, data, sig) == nil {
			ok = true
		}
	}
	return ok
}

// refresh downloads the key unless that was done less than an interval ago.
// It reports whether the key set changed.
func (k *keyring) refresh(ctx context.Context) (bool, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	now := k.now()
	if !k.lastFetch.IsZero() && now.Sub(k.lastFetch) < k.interval {
		return false, nil
	}
	k.lastFetch = now
	key, err := k.download(ctx)
	if err != nil {
		return false, err
	}
	if k.fetched != nil && k.fetched.Equal(key) {
		return false, nil
	}
	for _, s := range k.static {
		if s.Equal(key) {
			return false, nil
		}
	}
	k.fetched = key
	snapshot := append(append([]*rsa.PublicKey(nil), k.static...), key)
	k.keys.Store(&snapshot)
	return true, nil
}

func (k *keyring) download(ctx context.Context) (*rsa.PublicKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.url, nil)
	if err != nil {
		return nil, fmt.Errorf("paysera: public key request: %w", err)
	}
	resp, err := k.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("paysera: downloading public key: %w", err)
	}
	defer resp.Body.Close()
	body, err := readLimited(resp.Body, maxKeyBytes)
	if err != nil {
		return nil, fmt.Errorf("paysera: downloading public key: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &APIError{StatusCode: resp.StatusCode, Body: clipBody(body)}
	}
	key, err := signature.ParsePublicKey(body)
	if err != nil {
		return nil, fmt.Errorf("paysera: downloaded public key: %w", err)
	}
	return key, nil
}

// RefreshPublicKey downloads the public key now (for example at start-up,
// to warm the cache), regardless of the refresh interval. It is an error
// when downloading is not enabled (see [Config.FetchPublicKey]).
func (c *Client) RefreshPublicKey(ctx context.Context) error {
	if !c.keys.fetch {
		return errors.New("paysera: public key downloading is not enabled")
	}
	c.keys.mu.Lock()
	c.keys.lastFetch = time.Time{}
	c.keys.mu.Unlock()
	_, err := c.keys.refresh(ctx)
	return err
}
