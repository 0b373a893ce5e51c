import Testing
@testable import TandemManagement

@Suite struct FormBodyTests {
    @Test func decodesPfSenseLoginForm() {
        let form = FormBody("__csrf_magic=sid%3Aab12%2C1700000000&usernamefld=admin&passwordfld=p%40ss+word%21&login=Sign+In")
        #expect(form["__csrf_magic"] == "sid:ab12,1700000000")
        #expect(form["usernamefld"] == "admin")
        #expect(form["passwordfld"] == "p@ss word!")
        #expect(form["login"] == "Sign In")
    }

    @Test func firstValueWinsAndMalformedEscapesStay() {
        let form = FormBody("a=1&a=2&b=%zz&c=%4&d&=x&e=%C3%A9")
        #expect(form["a"] == "1")
        #expect(form["b"] == "%zz")
        #expect(form["c"] == "%4")
        #expect(form["d"] == "")
        #expect(form["e"] == "é")
        #expect(form.fields.count == 5)
    }

    @Test func cookies() {
        let header = "tandem_login=abc; tandem_session=0123; other=x=y"
        #expect(CookieHeader.value("tandem_session", in: header) == "0123")
        #expect(CookieHeader.value("other", in: header) == "x=y")
        #expect(CookieHeader.value("tandem", in: header) == nil)
        #expect(CookieHeader.value("x", in: nil) == nil)
    }

    @Test func sessionCookieFlags() {
        #expect(CookieHeader.set("tandem_session", "v", secure: true)
                == "tandem_session=v; Path=/; Secure; HttpOnly; SameSite=Strict")
        #expect(CookieHeader.set("tandem_login", "", secure: true, maxAge: 0)
                == "tandem_login=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict")
        #expect(!CookieHeader.set("s", "v", secure: false).contains("Secure"))
    }
}
