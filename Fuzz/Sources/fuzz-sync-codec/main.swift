import FuzzInput
import Glibc

exit(runFuzzer { data, size in
    withFuzzData(data, size) { fuzzSyncCodec($0, $1) }
    return 0
})
