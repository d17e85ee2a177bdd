package payseratest

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"

	"github.com/paykit-go/paykit/paysera"
)

type vectorFile struct {
	About struct {
		ProjectID     int    `json:"project_id"`
		Password      string `json:"project_password"`
		PrivateKeyPEM string `json:"test_rsa_private_key_pem"`
		PublicKeyPEM  string `json:"test_rsa_public_key_pem"`
	} `json:"about"`
	Callbacks map[string]struct {
		Query string `json:"query_before_base64"`
		Data  string `json:"data"`
		SS1   string `json:"ss1"`
		SS2   string `json:"ss2_rsa_sha1_base64url"`
		SS3   string `json:"ss3_rsa_sha256_base64url"`
		Raw   string `json:"callback_query_string"`
	} `json:"callbacks_signed"`
	Encrypted map[string]struct {
		IVHex     string `json:"iv_hex"`
		Plaintext string `json:"plaintext"`
		Data      string `json:"data"`
	} `json:"callbacks_encrypted_aes_256_gcm"`
}

func loadVectors(t *testing.T) *vectorFile {
	t.Helper()
	b, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	v := new(vectorFile)
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSignerReproducesPayseraVectorsByteForByte(t *testing.T) {
	v := loadVectors(t)
	s, err := NewSignerWithKey(v.About.ProjectID, v.About.Password, []byte(v.About.PrivateKeyPEM))
	if err != nil {
		t.Fatal(err)
	}
	if string(s.PublicKeyPEM()) != v.About.PublicKeyPEM {
		t.Errorf("public key PEM differs")
	}
	for name, cv := range v.Callbacks {
		t.Run(name, func(t *testing.T) {
			params, err := s.SignQuery(cv.Query, AllSignatures)
			if err != nil {
				t.Fatal(err)
			}
			if params.Get("data") != cv.Data || params.Get("ss1") != cv.SS1 || params.Get("ss2") != cv.SS2 || params.Get("ss3") != cv.SS3 {
				t.Errorf("signed params differ:\n%v", params)
			}
			if got := params.Encode(); got != cv.Raw {
				t.Errorf("query\n got %s\nwant %s", got, cv.Raw)
			}
		})
	}
	for name, ev := range v.Encrypted {
		t.Run(name, func(t *testing.T) {
			iv, _ := hex.DecodeString(ev.IVHex)
			params, err := s.EncryptQueryWithIV(ev.Plaintext, iv)
			if err != nil {
				t.Fatal(err)
			}
			if params.Get("data") != ev.Data {
				t.Errorf("data\n got %s\nwant %s", params.Get("data"), ev.Data)
			}
		})
	}
}

func TestSignerCallbacksVerifyWithTheClient(t *testing.T) {
	s, err := NewSigner(123, "pw")
	if err != nil {
		t.Fatal(err)
	}
	c, err := paysera.New(paysera.Config{ProjectID: 123, Password: "pw", PublicKeyPEM: s.PublicKeyPEM(), AcceptSS1: true})
	if err != nil {
		t.Fatal(err)
	}
	macro := Macro{OrderID: "A-1", Amount: 1250, Currency: "EUR", Status: paysera.StatusAccepted, Test: true}.Fields(123)
	micro := Micro{ID: "9", To: "1398", From: "370", Text: "PAY 1", Key: "PAY", Amount: 100, Currency: "EUR"}.Fields(123)
	for _, sigs := range []Signatures{AllSignatures, SS1, SS2, SS3, SS1 | SS2} {
		for _, f := range []Fields{macro, micro} {
			params, err := s.Sign(f, sigs)
			if err != nil {
				t.Fatal(err)
			}
			cb, err := c.ParseValues(params)
			if err != nil {
				t.Fatalf("signatures %b: %v", sigs, err)
			}
			if cb.Fields().Get("projectid") != "123" {
				t.Errorf("fields %v", cb.Fields())
			}
		}
	}
	params, err := s.Encrypt(macro)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := c.ParseValues(params)
	if err != nil || cb.VerifiedBy != "aes-gcm" || cb.Status != paysera.StatusAccepted || !cb.Test {
		t.Fatalf("encrypted: %+v, %v", cb, err)
	}
	cert, err := s.CertificatePEM()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := paysera.New(paysera.Config{ProjectID: 1, Password: "x", PublicKeyPEM: cert}); err != nil {
		t.Errorf("certificate not accepted: %v", err)
	}
}
