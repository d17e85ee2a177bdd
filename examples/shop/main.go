package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
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
	shop, err := New(Options{BaseURL: base, Getenv: getenv})
	if err != nil {
		ln.Close()
		return err
	}
	defer shop.Close()
	printBanner(out, shop, base)

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
