package signature

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// ErrKey: a PEM block could not be parsed as an RSA public key.
var ErrKey = errors.New("signature: no RSA public key in PEM")

// ParsePublicKey parses the first PEM block of pemBytes as an RSA public
// key. The block may be a CERTIFICATE (the key is taken from it; the
// certificate's dates and chain are not checked, as the providers' own
// libraries do not check them), a PKIX "PUBLIC KEY" or a PKCS #1 "RSA
// PUBLIC KEY". Parse keys once, at start-up: parsing is far slower than
// verifying.
func ParsePublicKey(pemBytes []byte) (*rsa.PublicKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, fmt.Errorf("%w: no PEM block", ErrKey)
	}
	var pub any
	var err error
	switch block.Type {
	case "CERTIFICATE":
		var cert *x509.Certificate
		if cert, err = x509.ParseCertificate(block.Bytes); err == nil {
			pub = cert.PublicKey
		}
	case "PUBLIC KEY":
		pub, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		pub, err = x509.ParsePKCS1PublicKey(block.Bytes)
	default:
		return nil, fmt.Errorf("%w: unexpected PEM type %q", ErrKey, clipType(block.Type))
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	key, ok := pub.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("%w: key is %T, not RSA", ErrKey, pub)
	}
	return key, nil
}

func clipType(s string) string {
	if len(s) > 32 {
		return s[:32] + "…"
	}
	return s
}

// VerifyRSA checks an RSA PKCS #1 v1.5 signature over data hashed with
// hash (crypto.SHA1 or crypto.SHA256) against every key of keys (key
// rotation), trying all of them so that timing does not reveal which one
// matched. It returns nil or an error matching [ErrMismatch].
func VerifyRSA(data, sig []byte, keys []*rsa.PublicKey, hash crypto.Hash) error {
	var digest []byte
	switch hash {
	case crypto.SHA1:
		d := sha1.Sum(data)
		digest = d[:]
	case crypto.SHA256:
		d := sha256.Sum256(data)
		digest = d[:]
	default:
		return fmt.Errorf("%w: unsupported hash %v", ErrMismatch, hash)
	}
	ok := false
	for _, k := range keys {
		if k != nil && rsa.VerifyPKCS1v15(k, hash, digest, sig) == nil {
			ok = true
		}
	}
	if ok {
		return nil
	}
	return ErrMismatch
}
