//! The AWS endpoint's input after the signature: a target header and a JSON body, decoded
//! into the operation's request shape. Nothing may panic, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tierdesk_aws::Operation;
use tierdesk_aws::shapes::*;

fn decode<T: serde::de::DeserializeOwned>(body: &[u8]) {
    let _ = serde_json::from_slice::<T>(body);
}

fuzz_target!(|data: &[u8]| {
    // The first line is the X-Amz-Target header, the rest the body.
    let (target, body) = match data.iter().position(|b| *b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let op = Operation::parse(&String::from_utf8_lossy(target)).ok();
    match op {
        Some(Operation::CreateCase) => decode::<CreateCaseRequest>(body),
        Some(Operation::DescribeCases) => decode::<DescribeCasesRequest>(body),
        Some(Operation::DescribeCommunications) => decode::<DescribeCommunicationsRequest>(body),
        Some(Operation::AddCommunicationToCase) => decode::<AddCommunicationToCaseRequest>(body),
        Some(Operation::ResolveCase) => decode::<ResolveCaseRequest>(body),
        Some(Operation::AddAttachmentsToSet) => decode::<AddAttachmentsToSetRequest>(body),
        Some(Operation::DescribeAttachment) => decode::<DescribeAttachmentRequest>(body),
        Some(Operation::DescribeSeverityLevels) => decode::<DescribeSeverityLevelsRequest>(body),
        Some(Operation::DescribeServices) => decode::<DescribeServicesRequest>(body),
        Some(Operation::DescribeSupportedLanguages) => {
            decode::<DescribeSupportedLanguagesRequest>(body)
        }
        Some(Operation::DescribeCreateCaseOptions) => {
            decode::<DescribeCreateCaseOptionsRequest>(body)
        }
        // Every shape, whatever the target said: the body is the attacker's either way.
        _ => {
            decode::<CreateCaseRequest>(body);
            decode::<DescribeCasesRequest>(body);
            decode::<AddAttachmentsToSetRequest>(body);
        }
    }
});
