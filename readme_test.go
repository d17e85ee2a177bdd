package paykit_test

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeSnippetsMatchExamples keeps README.md honest: a Go block that
// begins "// Same code as the examples in FILE" may only contain lines that
// stand in FILE, a runnable Example that compiles and is checked by go test.
func TestReadmeSnippetsMatchExamples(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	const marker = "// Same code as the examples in "
	blocks := strings.Split(string(readme), "```go\n")[1:]
	checked := 0
	for _, block := range blocks {
		code, _, _ := strings.Cut(block, "```")
		first, body, _ := strings.Cut(code, "\n")
		file, ok := strings.CutPrefix(first, marker)
		if !ok {
			continue
		}
		src, err := os.ReadFile(file)
		if err != nil {
			t.Errorf("README names %s: %v", file, err)
			continue
		}
		have := map[string]bool{}
		for _, line := range strings.Split(string(src), "\n") {
			have[strings.TrimSpace(line)] = true
		}
		for _, line := range strings.Split(body, "\n") {
			if l := strings.TrimSpace(line); l != "" && !have[l] {
				t.Errorf("README snippet from %s has a line that is not in it: %q", file, l)
			}
		}
		checked++
	}
	if checked < 5 {
		t.Errorf("only %d README snippets are tied to examples; want every provider's and sqlstore's", checked)
	}
}
