package vkpay_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/paykit-go/paykit/vkpay"
)

const (
	testAppID  = 12345678
	testSecret = "s3cr3tKey_for_tests"
)

type votesVector struct {
	ID             string `json:"id"`
	Secret         string `json:"secret"`
	Body           string `json:"body_urlencoded"`
	Concatenated   string `json:"concatenated_string_utf8"`
	ExpectedSig    string `json:"expected_sig"`
	WrongIfEncoded string `json:"wrong_sig_if_values_left_percent_encoded"`
}

func loadVotesVectors(t testing.TB) []votesVector {
	t.Helper()
	raw, err := os.ReadFile("testdata/vkpay.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Votes []votesVector `json:"votes"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	return file.Votes
}

func newClient(t testing.TB, previous ...string) *vkpay.Client {
	t.Helper()
	c, err := vkpay.New(vkpay.Config{AppID: testAppID, Secret: testSecret, PreviousSecrets: previous})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// signed returns the form body of params with a sig under secret.
func signed(params url.Values, secret string) string {
	p := url.Values{}
	for k, v := range params {
		p[k] = append([]string(nil), v...)
	}
	p.Set("sig", vkpay.Sign(p, secret))
	return p.Encode()
}

func orderParams(orderID, status string) url.Values {
	return url.Values{
		"app_id":            {"12345678"},
		"date":              {"1656358147"},
		"item":              {"sale_item_1"},
		"item_discount":     {"3"},
		"item_id":           {"sale_item_1_internal_id"},
		"item_photo_url":    {"http://my-app.example.com/sale-item-images/sale-item-1.png"},
		"item_price":        {"24"},
		"item_title":        {"Чудо-здание"},
		"notification_type": {"order_status_change_test"},
		"order_id":          {orderID},
		"receiver_id":       {"1"},
		"status":            {status},
		"user_id":           {"1"},
		"version":           {"5.132"},
	}
}

func postForm(body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/vk/payments", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func serve(h http.Handler, body string) (int, string) {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, postForm(body))
	return w.Code, w.Body.String()
}
