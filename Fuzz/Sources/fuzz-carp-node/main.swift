import FuzzInput
import Glibc

exit(runFuzzer { data, size in
    withFuzzData(data, size) { fuzzCarpNode($0, $1) }
    return 0
})
