package sqlstore_test

import (
	"context"
	"database/sql"
	"log"
	"net/http"
	"os"
	"regexp"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // a PostgreSQL driver for database/sql

	"github.com/paykit-go/paykit"
	"github.com/paykit-go/paykit/playvision"
	"github.com/paykit-go/paykit/sqlstore"
)

// Every replica runs the same code: a Store on the shared database, the
// table created at start, and the provider's Handler with the Store in its
// Hooks. The Event hook credits the order in the claim's transaction, so
// the credit and the stored reply commit together.
func Example() {
	ctx := context.Background()
	db, err := sql.Open("pgx", os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	store, err := sqlstore.New(db, sqlstore.Options{}) // same-transaction mode
	if err != nil {
		log.Fatal(err)
	}
	if err := store.Migrate(ctx); err != nil {
		log.Fatal(err)
	}

	client, err := playvision.New(playvision.Config{AppID: 4242, Secret: os.Getenv("PLAYVISION_SECRET")})
	if err != nil {
		log.Fatal(err)
	}
	http.Handle("/playvision/callback", client.Handler(paykit.Hooks{
		Store: store,
		Event: func(ctx context.Context, n paykit.Notification) error {
			tx, _ := sqlstore.Tx(ctx)
			s := n.Summary()
			_, err := tx.ExecContext(ctx,
				`INSERT INTO credits (user_id, payment_id, amount) VALUES ($1, $2, $3)`,
				s.UserID, s.ID, s.Amount.Amount)
			return err
		},
	}))
	log.Fatal(http.ListenAndServe(":8080", nil))
}

// Cleanup runs from one place, with an age longer than any provider
// retries a notification.
func ExampleStore_Cleanup() {
	db, err := sql.Open("pgx", os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	store, err := sqlstore.New(db, sqlstore.Options{})
	if err != nil {
		log.Fatal(err)
	}
	for range time.Tick(time.Hour) {
		n, err := store.Cleanup(context.Background(), paykit.DefaultRetention)
		if err != nil {
			log.Print(err)
			continue
		}
		log.Printf("sqlstore: removed %d rows", n)
	}
}

// A Journal records every delivery of every replica beside the Store, on
// the same database, and answers "why is order 1042 still unpaid?".
func ExampleJournal() {
	ctx := context.Background()
	db, err := sql.Open("pgx", os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	store, err := sqlstore.New(db, sqlstore.Options{})
	if err != nil {
		log.Fatal(err)
	}
	journal, err := sqlstore.NewJournal(db, sqlstore.JournalOptions{
		CleanupEvery: time.Hour, // deletes deliveries past paykit.DefaultJournalRetention
		Redact: func(d *paykit.Delivery) {
			d.Body = email.ReplaceAll(d.Body, []byte("[email]")) // payers' addresses
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer journal.Close()
	for _, m := range []func(context.Context) error{store.Migrate, journal.Migrate} {
		if err := m(ctx); err != nil {
			log.Fatal(err)
		}
	}

	client, err := playvision.New(playvision.Config{AppID: 4242, Secret: os.Getenv("PLAYVISION_SECRET")})
	if err != nil {
		log.Fatal(err)
	}
	http.Handle("/playvision/callback", client.Handler(paykit.Hooks{
		Store:    store,
		Event:    fulfil,
		Observer: paykit.Observers(journal, paykit.LogDeliveries(nil)),
	}))

	page, err := journal.Deliveries(ctx, paykit.DeliveryQuery{OrderID: "1042"})
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range page.Deliveries {
		log.Printf("%s %s %s %s: %s → %d %s", d.ReceivedAt, d.Provider, d.Type, d.Outcome, d.Error, d.ReplyStatus, d.ReplyBody)
	}
}

func fulfil(context.Context, paykit.Notification) error { return nil }

var email = regexp.MustCompile(`[^"@\s]+@[^"@\s]+`)
