package main

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readmeTriggerLines returns the command lines of README.md's trigger
// section, as written: trigger's, and the curl that orders what the
// following lines pay.
func readmeTriggerLines(t *testing.T) []string {
	t.Helper()
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(readme), "### Trigger: one signed notification")
	require.True(t, ok, "README.md has no trigger section")
	section, _, _ = strings.Cut(section, "\n#") // up to the next heading
	var lines []string
	for _, l := range strings.Split(section, "\n") {
		if strings.HasPrefix(l, "go run ./examples/trigger ") || strings.HasPrefix(l, "curl ") {
			lines = append(lines, l)
		}
	}
	require.NotEmpty(t, lines)
	return lines
}

// buildCommand builds a command of this module into dir.
func buildCommand(t *testing.T, dir, pkg string) string {
	t.Helper()
	out := filepath.Join(dir, filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = "../.."
	b, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build %s:\n%s", pkg, b)
	return out
}

// startShop runs the demo shop's command on a free port and returns its
// URL; the shop stops at the end of the test.
func startShop(t *testing.T, bin string) string {
	t.Helper()
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	})
	banner, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err)
	base, ok := strings.CutPrefix(strings.TrimSpace(banner), "paykit demo shop: ")
	require.True(t, ok, "banner: %q", banner)
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return base
}

// The README's trigger lines, exactly as written but for the shop's port,
// run as commands against the demo shop's command: each exits 0, and the
// shop shows what they did. A refused notification exits 1.
func TestReadmeTriggerLinesWorkAgainstTheShop(t *testing.T) {
	dir := t.TempDir()
	shopBin := buildCommand(t, dir, "./examples/shop")
	triggerBin := buildCommand(t, dir, "./examples/trigger")
	base := startShop(t, shopBin)

	runLine := func(line string) (string, error) {
		args := strings.Fields(strings.ReplaceAll(line, "http://127.0.0.1:8080", base))
		if args[0] == "curl" { // no shell: the README's curl lines quote nothing
			out, err := exec.Command("curl", append([]string{"-f"}, args[1:]...)...).CombinedOutput()
			return string(out), err
		}
		require.Equal(t, []string{"go", "run", "./examples/trigger"}, args[:3])
		out, err := exec.Command(triggerBin, args[3:]...).CombinedOutput()
		return string(out), err
	}
	for _, line := range readmeTriggerLines(t) {
		out, err := runLine(line)
		require.NoError(t, err, "%s\n%s", line, out)
		if !strings.HasPrefix(line, "curl ") {
			assert.Contains(t, out, "HTTP 2", line)
		}
	}

	resp, err := http.Get(base + "/orders")
	require.NoError(t, err)
	page, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Contains(t, string(page), `status-paid">paid<`, "the first line bought the starter pack")
	assert.Contains(t, string(page), `status-refunded">refunded<`, "purchase 4242 was refunded")
	assert.Contains(t, string(page), "50 PlayGold")
	resp, err = http.Get(base + "/orders/1004")
	require.NoError(t, err)
	order, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Contains(t, string(order), "via Paysera Checkout", "curl ordered 1004 through Paysera Checkout")
	assert.Contains(t, string(order), `id="status"`)
	assert.Contains(t, string(order), ">refunded<", "the snapshot paid order 1004, refund/status_updated refunded it")
	assert.Contains(t, string(order), "order/amount_paid_updated")

	out, err := runLine("go run ./examples/trigger -provider paysera_checkout -order 1004 -id 79 -amount 1 -url http://127.0.0.1:8080/callback/paysera_checkout")
	var refused *exec.ExitError
	require.True(t, errors.As(err, &refused), "a refused Checkout webhook must fail the command: %v\n%s", err, out)
	assert.Equal(t, 1, refused.ExitCode())
	assert.Contains(t, out, "trigger: the receiver refused the notification")

	out, err = runLine("go run ./examples/trigger -provider vkpay -type order_status_change -id 999 -amount 1 -url http://127.0.0.1:8080/callback/vkpay")
	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "a refusal must fail the command: %v\n%s", err, out)
	assert.Equal(t, 1, exit.ExitCode())
	assert.Contains(t, out, `"error"`)
	assert.Contains(t, out, "trigger: the receiver refused the notification")
}
