package merchant_test

import (
	"crypto"
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"

	"github.com/paykit-go/paykit/vkpay/merchant"
)

type vkpayVectors struct {
	VKPay []struct {
		ID                 string          `json:"id"`
		Path               string          `json:"path"`
		DataJSON           string          `json:"data_json"`
		DataBase64         string          `json:"data_base64"`
		PrivateKey         string          `json:"private_key"`
		ExpectedSignature  string          `json:"expected_signature"`
		MerchantDataJSON   string          `json:"merchant_data_json"`
		MerchantDataBase64 string          `json:"merchant_data_base64"`
		MerchantPrivateKey string          `json:"merchant_private_key"`
		ExpectedMerchant   string          `json:"expected_merchant_sign"`
		SHA256ForContrast  string          `json:"sha256_for_contrast"`
		ParamsJSON         json.RawMessage `json:"params_json"`
		CanonicalString    string          `json:"canonical_string"`
		AppSecret          string          `json:"app_secret"`
		ExpectedSign       string          `json:"expected_sign"`
	} `json:"vkpay"`
}

func TestVectors(t *testing.T) {
	var file vkpayVectors
	if err := json.Unmarshal(readFile(t, "vkpay.json"), &file); err != nil {
		t.Fatal(err)
	}
	if len(file.VKPay) != 3 {
		t.Fatalf("want 3 VK Pay vectors, got %d", len(file.VKPay))
	}
	for _, v := range file.VKPay {
		t.Run(v.ID, func(t *testing.T) {
			switch v.ID {
			case "vkpay-api-request-signature":
				if base64.StdEncoding.EncodeToString([]byte(v.DataJSON)) != v.DataBase64 {
					t.Fatal("data_base64 is not base64 of data_json")
				}
				for _, path := range []string{v.Path, v.Path + "/"} {
					if got := merchant.APISignature(path, v.DataBase64, v.PrivateKey, crypto.SHA1); got != v.ExpectedSignature {
						t.Fatalf("APISignature(%s) = %s", path, got)
					}
				}
			case "vkpay-merchant-sign":
				if base64.StdEncoding.EncodeToString([]byte(v.MerchantDataJSON)) != v.MerchantDataBase64 {
					t.Fatal("merchant_data_base64 mismatch")
				}
				if got := merchant.MerchantSign(v.MerchantDataBase64, v.MerchantPrivateKey, crypto.SHA1); got != v.ExpectedMerchant {
					t.Fatalf("SHA-1 merchant_sign = %s", got)
				}
				if got := merchant.MerchantSign(v.MerchantDataBase64, v.MerchantPrivateKey, crypto.SHA256); got != v.SHA256ForContrast {
					t.Fatalf("SHA-256 merchant_sign = %s", got)
				}
			case "vkpay-app-sign":
				var p struct {
					Amount json.Number `json:"amount"`
					Data   struct {
						Currency, MerchantData, MerchantSign, OrderID, TS string
					} `json:"data"`
					Description string `json:"description"`
					MerchantID  int64  `json:"merchant_id"`
					Version     int    `json:"version"`
				}
				if err := json.Unmarshal(v.ParamsJSON, &p); err != nil {
					t.Fatal(err)
				}
				var raw struct {
					Data map[string]string `json:"data"`
				}
				_ = json.Unmarshal(v.ParamsJSON, &raw)
				var ts int64
				for _, c := range raw.Data["ts"] {
					ts = ts*10 + int64(c-'0')
				}
				fp := merchant.FormParams{Amount: 150, Description: p.Description, MerchantID: p.MerchantID, Version: p.Version,
					Data: merchant.FormData{OrderID: raw.Data["order_id"], TS: ts, Currency: raw.Data["currency"],
						MerchantData: raw.Data["merchant_data"], MerchantSign: raw.Data["merchant_sign"]}}
				if got := fp.Canonical(); got != v.CanonicalString {
					t.Fatalf("Canonical =\n%s\nwant\n%s", got, v.CanonicalString)
				}
				if got := merchant.AppSign(fp.Canonical(), v.AppSecret); got != v.ExpectedSign {
					t.Fatalf("AppSign = %s", got)
				}
				// The builder renders merchant_data exactly like the doc example.
				c := newClient(t, func(cfg *merchant.Config) {
					cfg.AppSecret = v.AppSecret
					cfg.Now = func() time.Time { return time.Unix(ts+60, 0) }
				})
				form, err := c.PayForm(merchant.PayRequest{OrderID: "25531", Amount: 150, Description: "Test Payment", TS: time.Unix(ts, 0)})
				if err != nil {
					t.Fatal(err)
				}
				if form.Params.Data.MerchantData != raw.Data["merchant_data"] {
					t.Fatalf("merchant_data = %s", form.Params.Data.MerchantData)
				}
			default:
				t.Fatalf("unknown vector %s", v.ID)
			}
		})
	}
}
