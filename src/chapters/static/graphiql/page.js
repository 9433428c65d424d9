// The GraphiQL page of one tenant: GraphiQL with a bearer-token field. The token is kept in
// this browser's localStorage (per tenant path) and may arrive in the URL's fragment
// (#token=…, as `make run` prints it): a fragment never reaches the server or its logs, and it
// is removed from the address bar at once.
(function () {
  "use strict";
  var endpoint = window.location.pathname;
  var storageKey = "chapters.token:" + endpoint;
  var input = document.getElementById("chapters-token");
  var state = document.getElementById("chapters-token-state");

  function tokenFromFragment() {
    var token = new URLSearchParams(window.location.hash.slice(1)).get("token");
    if (token) {
      history.replaceState(null, "", window.location.pathname + window.location.search);
    }
    return token;
  }

  function save(token) {
    try {
      if (token) {
        localStorage.setItem(storageKey, token);
      } else {
        localStorage.removeItem(storageKey);
      }
    } catch (error) {
      // storage disabled: the token lives in the field only
    }
  }

  function saved() {
    try {
      return localStorage.getItem(storageKey) || "";
    } catch (error) {
      return "";
    }
  }

  function showState() {
    state.textContent = input.value.trim() ? "requests carry this token" : "anonymous";
  }

  var fromFragment = tokenFromFragment();
  if (fromFragment) {
    save(fromFragment);
  }
  input.value = fromFragment || saved();
  showState();
  input.addEventListener("input", function () {
    save(input.value.trim());
    showState();
  });
  document.getElementById("chapters-token-form").addEventListener("submit", function (event) {
    event.preventDefault(); // Enter in the field: nothing to send, the token is already kept
  });
  document.getElementById("chapters-token-clear").addEventListener("click", function () {
    input.value = "";
    save("");
    showState();
  });

  function fetcher(params) {
    var headers = {
      "Content-Type": "application/json",
      Accept: "application/graphql-response+json, application/json",
    };
    var token = input.value.trim();
    if (token) {
      headers.Authorization = "Bearer " + token;
    }
    return fetch(endpoint, {
      method: "POST",
      headers: headers,
      body: JSON.stringify(params),
      credentials: "omit",
    }).then(function (response) {
      return response.json();
    });
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: "{ viewer { email tenantRole } tenant { name } }\n",
    }),
  );
})();
