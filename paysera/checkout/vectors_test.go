package checkout

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"testing"

	"github.com/paykit-go/paykit"
)

// vector is one webhook vector of the spec's §12, copied into testdata.
type vector struct {
	ID           string            `json:"id"`
	ClientSecret string            `json:"client_secret"`
	BodyBase64   string            `json:"body_base64"`
	BodyFrom     string            `json:"body_from"`
	Headers      map[string]string `json:"headers"`
}

func loadVectors(t testing.TB) map[string]vector {
	t.Helper()
	b, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct{ Vectors []vector }
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	out := map[string]vector{}
	for _, v := range f.Vectors {
		out[v.ID] = v
	}
	return out
}

func (v vector) body(t testing.TB, all map[string]vector) []byte {
	t.Helper()
	src := v
	if v.BodyFrom != "" {
		src = all[v.BodyFrom]
	}
	b, err := base64.StdEncoding.DecodeString(src.BodyBase64)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (v vector) header() http.Header {
	h := http.Header{}
	for k, val := range v.Headers {
		h.Set(k, val)
	}
	return h
}

func vectorClient(t testing.TB, secret string) *Client {
	t.Helper()
	c, err := New(Config{ClientID: "client-1", ClientSecret: secret})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestVectors_SignedBodiesVerify(t *testing.T) {
	all := loadVectors(t)
	for _, id := range []string{"PCK-1", "PCK-2", "PCK-3", "PCK-4", "PCK-5"} {
		t.Run(id, func(t *testing.T) {
			v := all[id]
			n, err := vectorClient(t, v.ClientSecret).ParseBody(v.body(t, all), v.header())
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if _, unknown := n.(*UnknownEvent); unknown {
				t.Fatalf("decoded as an unknown event: %+v", n.Summary())
			}
		})
	}
}

func TestVectors_NearMissesAreRefused(t *testing.T) {
	all := loadVectors(t)
	for _, id := range []string{"PCK-N1", "PCK-N2", "PCK-N3", "PCK-N4"} {
		t.Run(id, func(t *testing.T) {
			v := all[id]
			_, err := vectorClient(t, v.ClientSecret).ParseBody(v.body(t, all), v.header())
			if !errors.Is(err, paykit.ErrInvalidSignature) {
				t.Fatalf("got %v, want ErrInvalidSignature", err)
			}
		})
	}
}
