package xsolla

import (
	"crypto/sha1"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/internal/form"
	"github.com/paykit-go/paykit/signature"
)

// ErrClientIP is returned by ParseCallback when the IP allowlist is on and
// the request comes from an address outside it. It matches
// paykit.ErrInvalidSignature (the request is not authenticated); the
// handler answers it with the code INVALID_CLIENT_IP.
var ErrClientIP = fmt.Errorf("%w: client IP not allowed", paykit.ErrInvalidSignature)

// signatureScheme is the Authorization scheme of Xsolla's webhooks.
const signatureScheme = "Signature"

// ParseCallback reads, verifies and decodes one webhook.
//
// In order: the optional IP allowlist ([Config.AllowedIPs]); the body,
// read whole with a cap of 64 KiB (the handler's cap is
// paykit.HandlerOptions.MaxBodyBytes); the signature over the raw bytes
// (Authorization: Signature <sha1(body ‖ secret)>, every configured secret
// tried in constant time); then the JSON is decoded once into the typed
// message of its notification_type and the project is checked. Every error
// matches a paykit sentinel: ErrBodyTooLarge, ErrMissingSignature,
// ErrInvalidSignature (also [ErrClientIP]), ErrMalformed and
// ErrWrongAccount. A verified webhook of a type this package does not model
// is returned as an [Unknown], not an error.
func (c *Client) ParseCallback(r *http.Request) (paykit.Notification, error) {
	if err := c.checkIP(r); err != nil {
		return nil, err
	}
	if _, err := authorizationHeader(r.Header); err != nil {
		return nil, err
	}
	body, err := form.ReadBody(r, form.DefaultMaxBytes)
	if err != nil {
		return nil, err
	}
	return c.ParseBody(body, r.Header)
}

// ParseBody verifies and decodes a webhook from its raw body and its
// headers (only Authorization is read; nil is a missing signature), for
// frameworks that read the body themselves. body must be the bytes as
// received: a re-encoded body does not verify. The returned notification
// keeps a reference to body. It does not check the source address (see
// [Client.ClientIP]).
func (c *Client) ParseBody(body []byte, header http.Header) (paykit.Notification, error) {
	auth, err := authorizationHeader(header)
	if err != nil {
		return nil, err
	}
	if err := verifySig(body, auth, c.secrets, c.cfg.StrictSignatureHeader); err != nil {
		return nil, err
	}
	return c.decode(body)
}

// Verify checks an Authorization header value against body under any of
// secrets (the tolerant header rules of [Config.StrictSignatureHeader]
// false). It returns nil, or an error matching paykit.ErrMissingSignature
// or paykit.ErrInvalidSignature.
func Verify(body []byte, authorization string, secrets ...string) error {
	return verifySig(body, authorization, secrets, false)
}

// verifySig parses the header by Xsolla's rules and checks the digest with
// signature.VerifyBodySHA1, which tries every secret in constant time.
func verifySig(body []byte, authorization string, secrets []string, strict bool) error {
	got, err := parseSignatureHeader(authorization, strict)
	if err != nil {
		return err
	}
	if len(secrets) == 0 {
		return fmt.Errorf("%w: no webhook secret configured", paykit.ErrInvalidSignature)
	}
	if err := signature.VerifyBodySHA1(body, got, secrets); err != nil {
		return paykit.ErrInvalidSignature
	}
	return nil
}

// authorizationHeader returns the only Authorization header value. Two
// values are refused: which one a proxy or framework would pick is not
// defined.
func authorizationHeader(h http.Header) (string, error) {
	v := h.Values("Authorization")
	switch len(v) {
	case 0:
		return "", fmt.Errorf("%w: no Authorization header", paykit.ErrMissingSignature)
	case 1:
		return v[0], nil
	default:
		return "", fmt.Errorf("%w: several Authorization headers", paykit.ErrInvalidSignature)
	}
}

// parseSignatureHeader returns the hex digest of "Signature <40 hex>".
//
// Rules (see the package documentation): outer spaces and tabs are trimmed
// (HTTP does so anyway); exactly one space separates the scheme from the
// digest; the digest is exactly 40 hex digits with nothing after it. The
// scheme name is case-insensitive and hex may be upper case unless strict,
// which follows Xsolla's PHP SDK to the letter. An empty value is a missing
// signature; anything else that does not fit is an invalid one.
func parseSignatureHeader(v string, strict bool) (string, error) {
	v = strings.Trim(v, " \t")
	if v == "" {
		return "", fmt.Errorf("%w: empty Authorization header", paykit.ErrMissingSignature)
	}
	scheme, hexsig, ok := strings.Cut(v, " ")
	if !ok {
		return "", fmt.Errorf("%w: Authorization is not \"Signature <hex>\"", paykit.ErrInvalidSignature)
	}
	if scheme != signatureScheme && (strict || !strings.EqualFold(scheme, signatureScheme)) {
		return "", fmt.Errorf("%w: Authorization scheme is not Signature", paykit.ErrInvalidSignature)
	}
	if len(hexsig) != 2*sha1.Size {
		return "", fmt.Errorf("%w: signature is not 40 hex digits", paykit.ErrInvalidSignature)
	}
	for i := 0; i < len(hexsig); i++ {
		if !isHex(hexsig[i], strict) {
			return "", fmt.Errorf("%w: signature is not 40 hex digits", paykit.ErrInvalidSignature)
		}
	}
	return hexsig, nil
}

// isHex reports whether c is a hex digit; with lowerOnly, a lower-case one.
func isHex(c byte, lowerOnly bool) bool {
	if '0' <= c && c <= '9' || 'a' <= c && c <= 'f' {
		return true
	}
	return !lowerOnly && 'A' <= c && c <= 'F'
}

// checkIP enforces the allowlist on the client address (see
// [Config.TrustedProxies] for how it is found).
func (c *Client) checkIP(r *http.Request) error {
	if len(c.allowed) == 0 {
		return nil
	}
	addr, ok := c.clientAddr(r)
	if !ok {
		return ErrClientIP
	}
	for _, p := range c.allowed {
		if p.Contains(addr) {
			return nil
		}
	}
	return ErrClientIP
}

// ClientIP returns the address the allowlist judges: the connection's
// peer, or — only when the peer is a trusted proxy — the right-most
// X-Forwarded-For entry that is not a trusted proxy.
func (c *Client) ClientIP(r *http.Request) (netip.Addr, bool) { return c.clientAddr(r) }

func (c *Client) clientAddr(r *http.Request) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	peer = peer.Unmap()
	if !inAny(c.proxies, peer) {
		return peer, true
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return netip.Addr{}, false
		}
		a = a.Unmap()
		if !inAny(c.proxies, a) {
			return a, true
		}
	}
	// Every hop is a trusted proxy: the request did not come from outside.
	return peer, true
}

func inAny(list []netip.Prefix, a netip.Addr) bool {
	for _, p := range list {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
