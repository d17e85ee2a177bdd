package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/paykit-go/paykit/examples/internal/serve"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *addr, os.Getenv, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// run serves the shop on addr until ctx ends.
func run(ctx context.Context, addr string, getenv func(string) string, out io.Writer) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	base := getenv("SHOP_PUBLIC_URL")
	if base == "" {
		base = serve.LocalURL(ln.Addr())
	}
	password, shown := getenv("SHOP_JOURNAL_PASSWORD"), "the one in SHOP_JOURNAL_PASSWORD"
	if password == "" {
		// A new one at each start, shown once on the operator's console.
		password = rand.Text()
		shown = password
	}
	// SHOP_DROP_CALLBACKS=1: the emulators record their callbacks without
	// sending them, so a paid order waits until "Check with the provider".
	shop, err := New(Options{BaseURL: base, Getenv: getenv, JournalPassword: password,
		Logger: slog.New(slog.NewTextHandler(out, nil)), DropCallbacks: getenv("SHOP_DROP_CALLBACKS") == "1"})
	if err != nil {
		ln.Close()
		return err
	}
	defer shop.Close()
	printBanner(out, shop, base)
	fmt.Fprintf(out, "  %-11s %s/journal/ (any user name, password %s)\n", "Journal:", base, shown)
	if getenv("SHOP_DROP_CALLBACKS") == "1" {
		fmt.Fprintln(out, "  The emulators drop their callbacks (SHOP_DROP_CALLBACKS=1): use \"Check with the provider\" on an order.")
	}

	return serve.Serve(ctx, ln, shop.Handler())
}

func printBanner(out io.Writer, shop *Shop, base string) {
	fmt.Fprintf(out, "paykit demo shop: %s\n", base)
	for _, p := range providers {
		mode := "live, callback URL " + shop.CallbackURL(p)
		if shop.Emulated(p) {
			mode = "emulator at " + shop.EmulatorURL(p)
		}
		fmt.Fprintf(out, "  %-11s %s\n", providerNames[p]+":", strings.TrimSpace(mode))
	}
}
