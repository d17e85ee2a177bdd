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

// keyDownloadTimeout bounds one key download. The download runs on a
// context of its own, detached from the callback that triggered it, so a
// client that hangs up cannot cancel it for everyone else.
const keyDownloadTimeout = DefaultHTTPTimeout

// keyRetryGap is the least time between a failed download and the next
// attempt (at most the refresh interval). Anyone can trigger a download
// by sending a callback with a bad signature; this bounds how often,
// while a genuine callback is not refused for a whole interval because
// one download failed.
const keyRetryGap = 30 * time.Second

// keyring holds the keys that verify ss2/ss3: the pinned or embedded key
// and, when downloading is enabled, the last downloaded one. Verification
// reads an immutable snapshot without locking. A download happens only
// after a failed verification: at most once per interval after a
// success, once per retry gap after a failure, and one at a time
// (concurrent failures wait for the download in flight).
type keyring struct {
	keys     atomic.Pointer[[]*rsa.PublicKey]
	static   []*rsa.PublicKey
	fetch    bool
	url      string
	client   *http.Client
	interval time.Duration
	retryGap time.Duration
	timeout  time.Duration
	now      func() time.Time
	// apiError is the error of an unexpected answer, credentials redacted
	// (Client.apiError).
	apiError func(status int, body []byte) error

	mu        sync.Mutex
	lastFetch time.Time  // last successful download
	lastFail  time.Time  // last failed attempt
	flight    *keyFlight // the download under way, if any
	fetched   *rsa.PublicKey
}

// keyFlight is one download; err is set before done is closed.
type keyFlight struct {
	done chan struct{}
	err  error
}

// wait waits for the download, or for ctx: the download itself goes on.
func (f *keyFlight) wait(ctx context.Context) error {
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func newKeyring(static []*rsa.PublicKey, fetch bool, keyURL string, client *http.Client, interval time.Duration) *keyring {
	k := &keyring{static: static, fetch: fetch, url: keyURL, client: client, interval: interval,
		retryGap: min(keyRetryGap, interval), timeout: keyDownloadTimeout, now: time.Now}
	snapshot := append([]*rsa.PublicKey(nil), static...)
	k.keys.Store(&snapshot)
	return k
}

// errKeyUnavailable: no key to verify with, and downloading one failed.
var errKeyUnavailable = errors.New("paysera: public key unavailable")

// errKeyRetryLater: the last download failed a moment ago.
var errKeyRetryLater = errors.New("paysera: public key download failed recently")

// verify checks an RSA PKCS #1 v1.5 signature over data. When it fails and
// downloading is enabled, the key is refreshed (rate-limited) and the
// signature checked once more with the keys at hand then, which may come
// from a download another callback started. A missing key is a temporary
// failure, so that the handler asks Paysera to retry rather than refusing
// for good.
func (k *keyring) verify(ctx context.Context, hash crypto.Hash, data, sig []byte) error {
	before := k.keys.Load()
	if signature.VerifyRSA(data, sig, *before, hash) == nil {
		return nil
	}
	if !k.fetch {
		return paykit.ErrInvalidSignature
	}
	_ = k.refresh(ctx, false) // the outcome is in the key set
	after := k.keys.Load()
	if after != before && signature.VerifyRSA(data, sig, *after, hash) == nil {
		return nil
	}
	if len(*after) == 0 {
		return paykit.Temporary(fmt.Errorf("%w: %w", paykit.ErrInvalidSignature, errKeyUnavailable))
	}
	return paykit.ErrInvalidSignature
}

// refresh downloads the key unless that succeeded less than an interval
// ago or failed less than a retry gap ago (force skips both checks), or
// joins the download under way. The download runs in its own goroutine on
// a context detached from ctx, with its own timeout; ctx only bounds the
// wait, so a caller that gives up does not cancel it.
func (k *keyring) refresh(ctx context.Context, force bool) error {
	k.mu.Lock()
	if f := k.flight; f != nil {
		k.mu.Unlock()
		return f.wait(ctx)
	}
	now := k.now()
	if !force {
		if !k.lastFetch.IsZero() && now.Sub(k.lastFetch) < k.interval {
			k.mu.Unlock()
			return nil
		}
		if !k.lastFail.IsZero() && now.Sub(k.lastFail) < k.retryGap {
			k.mu.Unlock()
			return errKeyRetryLater
		}
	}
	f := &keyFlight{done: make(chan struct{})}
	k.flight = f
	k.mu.Unlock()
	go k.run(context.WithoutCancel(ctx), f)
	return f.wait(ctx)
}

// run performs one download and records its outcome: the time of a
// success (and the key), or of a failure.
func (k *keyring) run(parent context.Context, f *keyFlight) {
	ctx, cancel := context.WithTimeout(parent, k.timeout)
	defer cancel()
	key, err := k.download(ctx)
	k.mu.Lock()
	defer k.mu.Unlock()
	if err != nil {
		k.lastFail = k.now()
	} else {
		k.lastFetch, k.lastFail = k.now(), time.Time{}
		k.install(key)
	}
	f.err = err
	k.flight = nil
	close(f.done)
}

// install adds a downloaded key to the key set unless it is already in
// it. k.mu is held.
func (k *keyring) install(key *rsa.PublicKey) {
	if k.fetched != nil && k.fetched.Equal(key) {
		return
	}
	for _, s := range k.static {
		if s.Equal(key) {
			return
		}
	}
	k.fetched = key
	snapshot := append(append([]*rsa.PublicKey(nil), k.static...), key)
	k.keys.Store(&snapshot)
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
		return nil, k.apiError(resp.StatusCode, body)
	}
	key, err := signature.ParsePublicKey(body)
	if err != nil {
		return nil, fmt.Errorf("paysera: downloaded public key: %w", err)
	}
	return key, nil
}

// RefreshPublicKey downloads the public key now (for example at start-up,
// to warm the cache), regardless of the refresh interval; it joins a
// download already under way. ctx bounds the wait, not the download. It
// is an error when downloading is not enabled (see
// [Config.FetchPublicKey]).
func (c *Client) RefreshPublicKey(ctx context.Context) error {
	if !c.keys.fetch {
		return errors.New("paysera: public key downloading is not enabled")
	}
	return c.keys.refresh(ctx, true)
}
