package key_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/internal/key"
)

func TestBuild_EveryPartCounts(t *testing.T) {
	base := key.Parts{Provider: "paysera", Account: "1", Kind: "payment", Status: "paid", ID: "42"}
	k := key.Build(base)
	assert.Equal(t, "7:paysera|1:1|4:live|7:payment|4:paid|2:42", k)
	assert.Equal(t, k, key.Build(base), "an exact repeat has the same key")
	variants := []func(p *key.Parts){
		func(p *key.Parts) { p.Provider = "vkpay" },
		func(p *key.Parts) { p.Account = "2" },
		func(p *key.Parts) { p.Test = true },
		func(p *key.Parts) { p.Kind = "refund" },
		func(p *key.Parts) { p.Status = "pending" },
		func(p *key.Parts) { p.ID = "43" },
		func(p *key.Parts) { p.Discriminator = "micro" },
	}
	seen := map[string]bool{k: true}
	for i, change := range variants {
		p := base
		change(&p)
		got := key.Build(p)
		assert.False(t, seen[got], "variant %d collides", i)
		seen[got] = true
	}
}

func TestBuild_SeparatorsCannotCollide(t *testing.T) {
	pairs := [][2]key.Parts{
		{{Account: "a|b", ID: "c"}, {Account: "a", ID: "b|c"}},
		{{ID: "1", Discriminator: "2"}, {ID: "1|1:2"}},
		{{ID: "1:a"}, {ID: "1", Discriminator: "a"}},
		{{Kind: "payment|4:paid", Status: ""}, {Kind: "payment", Status: "paid"}},
		{{ID: ""}, {ID: "", Discriminator: ""}},
	}
	for i, p := range pairs[:4] {
		assert.NotEqual(t, key.Build(p[0]), key.Build(p[1]), "pair %d", i)
	}
	assert.Equal(t, key.Build(pairs[4][0]), key.Build(pairs[4][1]), "an empty discriminator adds nothing")
}

func FuzzBuild(f *testing.F) {
	f.Add("a|b", "c", "a", "b|c", "", "")
	f.Fuzz(func(t *testing.T, acc1, id1, acc2, id2, d1, d2 string) {
		a := key.Parts{Provider: "p", Account: acc1, ID: id1, Discriminator: d1}
		b := key.Parts{Provider: "p", Account: acc2, ID: id2, Discriminator: d2}
		if (key.Build(a) == key.Build(b)) != (a == b) {
			t.Fatalf("Build(%+v)==Build(%+v) is %t", a, b, key.Build(a) == key.Build(b))
		}
	})
}

// Build sizes its buffer from the parts' lengths: a long part alone (an
// Xsolla id, a merchant's long order id) must neither panic nor be cut.
func TestBuild_LongPartAloneIsKeptWhole(t *testing.T) {
	long := strings.Repeat("x", 300)
	tests := []struct {
		name  string
		parts key.Parts
		want  string
	}{
		{"provider", key.Parts{Provider: long}, "300:" + long + "|0:|4:live|0:|0:|0:"},
		{"account", key.Parts{Account: long}, "0:|300:" + long + "|4:live|0:|0:|0:"},
		{"kind", key.Parts{Kind: long}, "0:|0:|4:live|300:" + long + "|0:|0:"},
		{"status", key.Parts{Status: long}, "0:|0:|4:live|0:|300:" + long + "|0:"},
		{"id", key.Parts{ID: long}, "0:|0:|4:live|0:|0:|300:" + long},
		{"discriminator", key.Parts{Discriminator: long}, "0:|0:|4:live|0:|0:|0:|300:" + long},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			require.NotPanics(t, func() { got = key.Build(tt.parts) })
			assert.Equal(t, tt.want, got)
		})
	}
}

// Neighbouring parts that give the same string when joined plainly with
// '|' (the separator moves from one part into the next) must still give
// different keys: only the length prefix keeps them apart.
func TestBuild_NeighboursThatCollideWhenJoinedPlainly(t *testing.T) {
	tests := []struct {
		name string
		a, b key.Parts
	}{
		{"provider|account", key.Parts{Provider: "a|b", Account: "c"}, key.Parts{Provider: "a", Account: "b|c"}},
		{"kind|status", key.Parts{Kind: "payment|paid", Status: "x"}, key.Parts{Kind: "payment", Status: "paid|x"}},
		{"status|id", key.Parts{Status: "paid|1", ID: "2"}, key.Parts{Status: "paid", ID: "1|2"}},
		{"id|discriminator", key.Parts{ID: "1|2", Discriminator: "3"}, key.Parts{ID: "1", Discriminator: "2|3"}},
		{"id swallows the discriminator", key.Parts{ID: "1|micro"}, key.Parts{ID: "1", Discriminator: "micro"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.NotEqual(t, key.Build(tt.a), key.Build(tt.b))
		})
	}
}
