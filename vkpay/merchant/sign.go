package merchant

import (
	"crypto"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"hash"
)

// MerchantSign returns merchant_sign: hex(hash(merchant_data_base64 +
// merchantKey)). The docs' example value is SHA-1 although their prose
// says SHA-256, so the hash is a parameter (spec B.2, B.5).
func MerchantSign(merchantDataBase64, merchantKey string, h crypto.Hash) string {
	return hexDigest(h, merchantDataBase64, merchantKey)
}

// AnswerSignature returns the signature of an answer to a notification:
// hex(hash(data_base64 + merchantKey)) (spec B.4).
func AnswerSignature(dataBase64, merchantKey string, h crypto.Hash) string {
	return hexDigest(h, dataBase64, merchantKey)
}

// APISignature returns the signature of an API call: hex(hash(path without
// a trailing slash + data_base64 + apiKey)), for example with path
// "/money/2-03/transaction/get" (spec B.6).
func APISignature(path, dataBase64, apiKey string, h crypto.Hash) string {
	for len(path) > 1 && path[len(path)-1] == '/' {
		path = path[:len(path)-1]
	}
	return hexDigest(h, path, dataBase64, apiKey)
}

// AppSign returns the app signature "sign" of form parameters given as
// their canonical string (see [FormParams.Canonical]): hex(MD5(canonical +
// appSecret)).
func AppSign(canonical, appSecret string) string {
	return hexDigest(crypto.MD5, canonical, appSecret)
}

func hexDigest(h crypto.Hash, parts ...string) string {
	var d hash.Hash
	switch h {
	case crypto.SHA256:
		d = sha256.New()
	case crypto.MD5:
		d = md5.New()
	default:
		d = sha1.New()
	}
	for _, p := range parts {
		d.Write([]byte(p))
	}
	return hex.EncodeToString(d.Sum(nil))
}
