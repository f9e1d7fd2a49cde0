//! Which service and operation a request names, parsed before anything is handled (as
//! garage's `parse_endpoint`): an unknown operation fails here, with AWS's code, and the
//! handler matches on an enum instead of strings.

use crate::TARGET_PREFIX;
use crate::error::AwsError;

/// An AWS service Tierdesk answers, known by its SigV4 signing name. More services (Trusted
/// Advisor, Health) share the listener and the keys; the credential scope picks one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Support,
    /// The newer Trusted Advisor API (REST-JSON).
    TrustedAdvisor,
    /// AWS Health (JSON 1.1).
    Health,
}

impl Service {
    /// The name in a signature's credential scope.
    pub const fn signing_name(self) -> &'static str {
        match self {
            Service::Support => "support",
            Service::TrustedAdvisor => "trustedadvisor",
            Service::Health => "health",
        }
    }
}

macro_rules! operations {
    ($($op:ident),* $(,)?) => {
        /// An operation of the AWS Support API (`X-Amz-Target: AWSSupport_20130415.<name>`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Operation { $($op),* }

        impl Operation {
            /// Every operation, in the API's order.
            pub const ALL: &[Operation] = &[$(Operation::$op),*];

            /// The operation's name as AWS spells it.
            pub const fn name(self) -> &'static str {
                match self { $(Operation::$op => stringify!($op)),* }
            }
        }
    };
}

operations!(
    CreateCase,
    DescribeCases,
    DescribeCommunications,
    AddCommunicationToCase,
    ResolveCase,
    AddAttachmentsToSet,
    DescribeAttachment,
    DescribeSeverityLevels,
    DescribeServices,
    DescribeSupportedLanguages,
    DescribeCreateCaseOptions,
    DescribeTrustedAdvisorChecks,
    DescribeTrustedAdvisorCheckResult,
    DescribeTrustedAdvisorCheckSummaries,
    DescribeTrustedAdvisorCheckRefreshStatuses,
    RefreshTrustedAdvisorCheck,
);

impl Operation {
    /// The operation an `X-Amz-Target` header names.
    pub fn parse(target: &str) -> Result<Operation, AwsError> {
        let name = target.strip_prefix(TARGET_PREFIX).ok_or_else(|| {
            AwsError::client(
                "UnknownOperationException",
                format!("'{target}' is not an operation of {TARGET_PREFIX}*"),
            )
        })?;
        Operation::ALL
            .iter()
            .copied()
            .find(|op| op.name() == name)
            .ok_or_else(|| {
                AwsError::client(
                    "UnknownOperationException",
                    format!("'{name}' is not an operation of the AWS Support API"),
                )
            })
    }

    /// The target header value that names this operation.
    pub fn target(self) -> String {
        format!("{TARGET_PREFIX}{}", self.name())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_parses_from_its_own_target() {
        for op in Operation::ALL {
            assert_eq!(Operation::parse(&op.target()), Ok(*op));
        }
    }

    #[test]
    fn unknown_targets_are_refused_with_aws_code() {
        let e = Operation::parse("AWSSupport_20130415.DeleteCase").unwrap_err();
        assert_eq!(e.code, "UnknownOperationException");
        assert!(e.message.contains("DeleteCase"));
        let e = Operation::parse("Other_1.CreateCase").unwrap_err();
        assert_eq!(e.code, "UnknownOperationException");
        assert_eq!(e.status, 400);
    }
}
