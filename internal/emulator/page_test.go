package emulator

import (
	"math"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFormatAmount_WritesMajorUnitsByTheCurrencysExponent(t *testing.T) {
	for _, tc := range []struct {
		minor int64
		unit  string
		want  string
	}{
		{500, "EUR", "5.00 EUR"},
		{5, "EUR", "0.05 EUR"},
		{0, "EUR", "0.00 EUR"},
		{1234500, "USD", "12,345.00 USD"},
		{-250, "EUR", "-2.50 EUR"},
		{-123456789, "EUR", "-1,234,567.89 EUR"},
		{1500, "JPY", "1,500 JPY"},
		{500, "KRW", "500 KRW"},
		{1234, "KWD", "1.234 KWD"},
		{1000, "BHD", "1.000 BHD"},
		{1500, "RUB", "15.00 RUB"},
		{math.MinInt64, "EUR", "-92,233,720,368,547,758.08 EUR"},
		{7, "votes", "7 votes"},
		{1500, "PlayGold", "1,500 PlayGold"},
		{-7, "votes", "-7 votes"},
		{100, "", "100"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			assert.Equal(t, tc.want, FormatAmount(tc.minor, tc.unit))
		})
	}
}

var testPages = Templates(`{{define "order"}}{{template "top" .}}<p id="kit">{{.Data}}</p>{{template "bottom" .}}{{end}}`, nil)

func TestRender_FramesEveryPage(t *testing.T) {
	w := httptest.NewRecorder()
	Render(w, http.StatusOK, testPages, "order", Page{
		Provider: "Example", Home: "/emu/", Title: "Pay for order 17", Merchant: "Shop <1>",
		Reference: "17", Item: "100 gold", Amount: FormatAmount(500, "EUR"),
		Back: "https://shop.test/return?x=1&y=2", Data: "kit content",
	})
	body := w.Body.String()
	assert.Equal(t, "text/html; charset=utf-8", w.Header().Get("Content-Type"))
	for _, want := range []string{
		"TEST MODE", `name="viewport"`, `rel="icon"`, "5.00 EUR", "100 gold", "Shop &lt;1&gt;",
		`id="back" href="https://shop.test/return?x=1&amp;y=2"`, "Back to the merchant", `<p id="kit">kit content</p>`,
	} {
		assert.Contains(t, body, want)
	}
}

func TestRender_WithoutAReturnURLLinksHome(t *testing.T) {
	w := httptest.NewRecorder()
	Render(w, http.StatusNotFound, testPages, "order", Page{Provider: "Example", Home: "/emu/", Title: "No such order"})
	assert.Equal(t, http.StatusNotFound, w.Code)
	assert.Contains(t, w.Body.String(), `id="back" href="/emu/"`)
}

func TestRender_UnknownPageIsAServerError(t *testing.T) {
	w := httptest.NewRecorder()
	Render(w, http.StatusOK, testPages, "missing", Page{})
	assert.Equal(t, http.StatusInternalServerError, w.Code)
}
