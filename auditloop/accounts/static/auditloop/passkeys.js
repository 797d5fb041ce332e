// Passkeys (WebAuthn): a form marked data-passkey="register" or "sign-in" reads the options
// the page carries (a JSON script element named by data-passkey-options), asks the browser
// for a passkey, puts the browser's answer in the form's hidden "credential" field and sends
// the form. Without JavaScript the forms stay hidden and the page offers its other way in.
const supported =
  window.PublicKeyCredential &&
  typeof PublicKeyCredential.parseCreationOptionsFromJSON === "function" &&
  typeof PublicKeyCredential.parseRequestOptionsFromJSON === "function";

for (const form of document.querySelectorAll("form[data-passkey]")) {
  const section = form.closest("[data-passkey-section]") || form;
  if (!supported) continue;
  section.hidden = false;
  const error = form.querySelector("[data-passkey-error]");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const source = document.getElementById(form.dataset.passkeyOptions);
    const options = JSON.parse(source.textContent);
    try {
      const credential =
        form.dataset.passkey === "register"
          ? await navigator.credentials.create({
              publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options),
            })
          : await navigator.credentials.get({
              publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options),
            });
      form.querySelector("input[name=credential]").value = JSON.stringify(credential.toJSON());
      form.submit();
    } catch (problem) {
      if (error) {
        error.hidden = false;
      }
    }
  });
}
for (const note of document.querySelectorAll("[data-passkey-unsupported]")) {
  note.hidden = Boolean(supported);
}
