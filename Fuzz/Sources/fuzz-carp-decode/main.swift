import FuzzInput
import Glibc

exit(runFuzzer { data, size in
    withFuzzData(data, size) { fuzzCarpDecode($0, $1) }
    return 0
})
