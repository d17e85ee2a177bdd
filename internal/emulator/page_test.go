package emulator

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFormatAmount_WritesMajorUnits(t *testing.T) {
	for _, tc := range []struct {
		minor int64
		exp   int
		unit  string
		want  string
	}{
		{500, 2, "EUR", "5.00 EUR"},
		{5, 2, "EUR", "0.05 EUR"},
		{0, 2, "EUR", "0.00 EUR"},
		{1234500, 2, "USD", "12,345.00 USD"},
		{-250, 2, "EUR", "-2.50 EUR"},
		{1500, 0, "JPY", "1,500 JPY"},
		{1234, 3, "KWD", "1.234 KWD"},
		{7, 0, "votes", "7 votes"},
		{100, 0, "", "100"},
	} {
		assert.Equal(t, tc.want, FormatAmount(tc.minor, tc.exp, tc.unit))
	}
}

var testPages = Templates(`{{define "order"}}{{template "top" .}}<p id="kit">{{.Data}}</p>{{template "bottom" .}}{{end}}`, nil)

func TestRender_FramesEveryPage(t *testing.T) {
	w := httptest.NewRecorder()
	Render(w, http.StatusOK, testPages, "order", Page{
		Provider: "Example", Home: "/emu/", Title: "Pay for order 17", Merchant: "Shop <1>",
		Reference: "17", Item: "100 gold", Amount: FormatAmount(500, 2, "EUR"),
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
