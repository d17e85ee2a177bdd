package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
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
		base = localURL(ln.Addr())
	}
	shop, err := New(Options{BaseURL: base, Getenv: getenv})
	if err != nil {
		ln.Close()
		return err
	}
	defer shop.Close()
	printBanner(out, shop, base)

	srv := &http.Server{Handler: shop.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// localURL is the URL of a listening address; an unspecified host
// (":8080") is shown as localhost.
func localURL(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return "http://" + a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
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
