package paysera

import (
	"crypto/aes"
	"crypto/cipher"
	"fmt"

	"github.com/paykit-go/paykit"
)

// GCM layout of encrypted callbacks: data = base64url(IV ‖ ciphertext ‖ tag).
const (
	gcmIVSize  = 12
	gcmTagSize = 16
	aesKeySize = 32
)

// aesKey turns a project password into the AES-256 key the way PHP's
// OpenSSL does: NUL-padded when shorter than 32 bytes, cut when longer.
func aesKey(password string) []byte {
	k := make([]byte, aesKeySize)
	copy(k, password)
	return k
}

// decrypt authenticates and decrypts an encrypted callback's data with
// the password or, during a rotation, a previous one. The GCM tag is the
// callback's signature: a wrong key or any change fails.
func (c *Client) decrypt(data string) (string, error) {
	raw, err := decodeBase64(data)
	if err != nil {
		return "", fmt.Errorf("%w: data: %w", paykit.ErrMalformed, err)
	}
	if len(raw) < gcmIVSize+gcmTagSize {
		return "", fmt.Errorf("%w: no signature, and data is too short to be encrypted", paykit.ErrMissingSignature)
	}
	for _, secret := range c.secrets {
		if plain, ok := openGCM(aesKey(secret), raw); ok {
			return string(plain), nil
		}
	}
	return "", fmt.Errorf("%w: callback data decryption failed", paykit.ErrInvalidSignature)
}

func openGCM(key, raw []byte) ([]byte, bool) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, false
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, false
	}
	iv, sealed := raw[:gcmIVSize], raw[gcmIVSize:]
	plain, err := gcm.Open(nil, iv, sealed, nil)
	if err != nil {
		return nil, false
	}
	return plain, true
}
