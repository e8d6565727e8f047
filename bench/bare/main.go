// Command bare is bench/api.sh's baseline: the REST API's HTTP server
// (same timeouts and header limit) with a handler that answers every
// request with the bytes of one file, as JSON: no authentication, no rate
// limit, no routing.
package main

import (
	"flag"
	"log"
	"net"
	"net/http"
	"os"

	"keyward/app/api"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:8687", "address to listen on")
	bodyFile := flag.String("body", "", "the file whose bytes every answer carries")
	flag.Parse()
	body, err := os.ReadFile(*bodyFile)
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	log.Fatal(api.HTTPServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})).Serve(ln))
}
