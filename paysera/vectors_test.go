package paysera

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/paykit-go/paykit/signature"
)

// vectors mirrors testdata/vectors.json (a copy of the shared
// vectors/paysera.json produced by Paysera's official library).
type vectors struct {
	About struct {
		ProjectID     int    `json:"project_id"`
		Password      string `json:"project_password"`
		ShortPassword string `json:"short_password_used_in_E2"`
		PrivateKeyPEM string `json:"test_rsa_private_key_pem"`
		PublicKeyPEM  string `json:"test_rsa_public_key_pem"`
	} `json:"about"`
	LiveCert struct {
		CertificatePEM string `json:"certificate_pem"`
		SPKIPEM        string `json:"spki_public_key_pem"`
		CertSHA256     string `json:"certificate_sha256_fingerprint"`
		SPKISHA256     string `json:"spki_der_sha256"`
	} `json:"paysera_live_callback_certificate"`
	DocsExample struct {
		Query   string `json:"query"`
		Base64  string `json:"base64"`
		URLSafe string `json:"urlsafe"`
	} `json:"docs_encoding_example"`
	Requests   map[string]requestVector    `json:"requests"`
	Validation map[string]validationVector `json:"request_validation_by_official_library"`
	Callbacks  map[string]callbackVector   `json:"callbacks_signed"`
	Negative   map[string]struct {
		Message string `json:"message"`
	} `json:"callback_negative"`
	Encrypted map[string]encryptedVector `json:"callbacks_encrypted_aes_256_gcm"`
	OpenSSL   map[string]any             `json:"openssl_checker_behaviour"`
	SMSAnswer struct {
		SMSID       int64  `json:"sms_id"`
		Msg         string `json:"msg"`
		Transaction string `json:"transaction"`
		URL         string `json:"url"`
	} `json:"sms_answer"`
	MethodsURLs map[string]string `json:"payment_methods_list_urls"`
}

type requestVector struct {
	Input       orderedMap `json:"input_params_in_order"`
	Query       string     `json:"query_before_base64"`
	Data        string     `json:"data"`
	Sign        string     `json:"sign"`
	RedirectURL string     `json:"redirect_url"`
}

type validationVector struct {
	OK      bool   `json:"ok"`
	Code    int    `json:"code"`
	Field   string `json:"field"`
	Message string `json:"message"`
	Query   string `json:"query"`
}

type callbackVector struct {
	Params orderedMap        `json:"params_in_order"`
	Query  string            `json:"query_before_base64"`
	Data   string            `json:"data"`
	SS1    string            `json:"ss1"`
	SS2    string            `json:"ss2_rsa_sha1_base64url"`
	SS3    string            `json:"ss3_rsa_sha256_base64url"`
	Raw    string            `json:"callback_query_string"`
	Parsed map[string]string `json:"parsed_by_library"`
}

type encryptedVector struct {
	Password   string            `json:"password"`
	AESKeyHex  string            `json:"aes_key_hex"`
	IVHex      string            `json:"iv_hex"`
	Plaintext  string            `json:"plaintext"`
	Ciphertext string            `json:"ciphertext_hex"`
	TagHex     string            `json:"tag_hex"`
	Data       string            `json:"data"`
	Raw        string            `json:"callback_query_string"`
	Parsed     map[string]string `json:"library_parsed"`
}

// orderedMap keeps the key order of a JSON object (values as strings).
type orderedMap []field

func (m *orderedMap) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	if _, err := dec.Token(); err != nil {
		return err
	}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return err
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		v := strings.Trim(string(raw), `"`)
		var s string
		if json.Unmarshal(raw, &s) == nil {
			v = s
		}
		*m = append(*m, field{kt.(string), v})
	}
	return nil
}

var loadVectors = sync.OnceValues(func() (*vectors, error) {
	b, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		return nil, err
	}
	v := new(vectors)
	return v, json.Unmarshal(b, v)
})

func mustVectors(t testing.TB) *vectors {
	t.Helper()
	v, err := loadVectors()
	if err != nil {
		t.Fatalf("loading vectors: %v", err)
	}
	return v
}

func TestEmbeddedCertificateIsTheLiveOne(t *testing.T) {
	v := mustVectors(t)
	if ProductionCertificatePEM != v.LiveCert.CertificatePEM {
		t.Fatal("embedded certificate differs from the vectors' copy")
	}
	block, _ := pem.Decode([]byte(ProductionCertificatePEM))
	sum := sha256.Sum256(block.Bytes)
	fp := strings.ToUpper(hex.EncodeToString(sum[:]))
	var colon []string
	for i := 0; i < len(fp); i += 2 {
		colon = append(colon, fp[i:i+2])
	}
	if got := strings.Join(colon, ":"); got != v.LiveCert.CertSHA256 {
		t.Errorf("certificate fingerprint %s, want %s", got, v.LiveCert.CertSHA256)
	}
	key, err := signature.ParsePublicKey([]byte(ProductionCertificatePEM))
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(key)
	if err != nil {
		t.Fatal(err)
	}
	spki := sha256.Sum256(der)
	if got := hex.EncodeToString(spki[:]); got != v.LiveCert.SPKISHA256 {
		t.Errorf("SPKI digest %s, want %s", got, v.LiveCert.SPKISHA256)
	}
	spkiKey, err := signature.ParsePublicKey([]byte(v.LiveCert.SPKIPEM))
	if err != nil || !spkiKey.Equal(key) {
		t.Errorf("SPKI PEM is not the certificate's key (err %v)", err)
	}
}

func TestDocsEncodingExample(t *testing.T) {
	v := mustVectors(t)
	if got := encodeData(v.DocsExample.Query); got != v.DocsExample.URLSafe {
		t.Errorf("encodeData = %s, want %s", got, v.DocsExample.URLSafe)
	}
	got, err := decodeBase64(v.DocsExample.Base64)
	if err != nil || string(got) != v.DocsExample.Query {
		t.Errorf("decodeBase64 = %q, %v", got, err)
	}
}
